"""Residents using the directory and the API (see benchmarks/load_test.py, which runs this)."""

import random

from locust import HttpUser, between, task

WORDS = ["arepas", "peluqueria", "costura", "bodega", "delivery", "barberia", "clases", "reparacion", ""]
DISTRICTS = ["comas", "callao", "san-juan-de-lurigancho", "carmen-de-la-legua-reynoso", "ate"]


class Resident(HttpUser):
    wait_time = between(0.2, 1.0)

    def on_start(self):
        response = self.client.get("/api/v1/directory/?q=", name="api search")
        results = response.json().get("results", []) if response.ok else []
        self.numbers = [r["registry_number"] for r in results] or ["RMO-0000-000000"]

    @task(4)
    def directory_page(self):
        self.client.get(f"/directorio/?q={random.choice(WORDS)}", name="directory page")

    @task(2)
    def directory_filtered(self):
        self.client.get(f"/directorio/?district={random.choice(DISTRICTS)}", name="directory page, filtered")

    @task(4)
    def api_search(self):
        self.client.get(
            f"/api/v1/directory/?q={random.choice(WORDS)}&district={random.choice(DISTRICTS)}",
            name="api search",
        )

    @task(1)
    def verify(self):
        with self.client.get(
            f"/verify/{random.choice(self.numbers)}/", name="verify", catch_response=True
        ) as response:
            if response.status_code in (200, 404):
                response.success()
