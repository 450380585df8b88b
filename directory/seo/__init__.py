"""What search engines and link previews read: canonical URLs, Open Graph, JSON-LD, sitemap,
robots.txt; and the links that lead out of a shop page (directions, phone, share)."""
