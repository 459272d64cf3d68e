/* Directory enhancements. The page works without this file: search, filters and pages are
   plain links and forms. Here: name suggestions while typing, "use my location", and a map
   that loads Leaflet (from /static/vendor) only when asked for, to keep the first load light. */
(function () {
  "use strict";

  var input = document.getElementById("directory-q");
  var list = document.getElementById("directory-suggestions");
  if (input && list && window.fetch) {
    var timer = null;
    var last = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q.length < 2 || q === last) return;
        last = q;
        fetch(input.dataset.suggestUrl + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (names) {
            list.textContent = "";
            names.forEach(function (name) {
              var option = document.createElement("option");
              option.value = name;
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 200);
    });
  }

  var near = document.querySelector("[data-near-me]");
  if (near && navigator.geolocation) {
    near.hidden = false;
    near.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (position) {
        document.getElementById("directory-lat").value = position.coords.latitude.toFixed(5);
        document.getElementById("directory-lon").value = position.coords.longitude.toFixed(5);
        var sort = document.getElementById("directory-sort");
        if (sort && !sort.querySelector("option[value=distance]")) {
          var option = document.createElement("option");
          option.value = "distance";
          option.textContent = near.textContent;
          sort.appendChild(option);
        }
        if (sort) sort.value = "distance";
      });
    });
  }

  var map = document.getElementById("directory-map");
  if (map) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button secondary";
    button.textContent = map.getAttribute("aria-label");
    map.parentNode.insertBefore(button, map);
    button.addEventListener("click", function () {
      button.remove();
      map.hidden = false;
      var base = map.dataset.leaflet.replace(/leaflet\.js$/, "");
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = base + "leaflet.css";
      document.head.appendChild(css);
      var script = document.createElement("script");
      script.src = map.dataset.leaflet;
      script.onload = function () {
        var pins = JSON.parse(map.dataset.pins);
        var leafletMap = window.L.map(map);
        window.L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
          maxZoom: 19,
          attribution: "&copy; OpenStreetMap"
        }).addTo(leafletMap);
        window.L.Icon.Default.imagePath = base + "images/";
        var bounds = [];
        pins.forEach(function (pin) {
          var marker = window.L.marker([pin.lat, pin.lon], { title: pin.name, alt: pin.name }).addTo(leafletMap);
          var link = document.createElement("a");
          link.href = pin.slug + "/";
          link.textContent = pin.name;
          marker.bindPopup(link);
          bounds.push([pin.lat, pin.lon]);
        });
        leafletMap.fitBounds(bounds, { maxZoom: 16, padding: [20, 20] });
      };
      document.head.appendChild(script);
    });
  }
})();
