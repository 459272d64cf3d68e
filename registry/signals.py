# signal receivers are registered in the search app once it exists
