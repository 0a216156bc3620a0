"""`make report`: figures computed from the stored conversations, leads, NPS answers and model usage
(analysis, pure), read from the databases (sources), drawn as a self-contained HTML page (page)."""
