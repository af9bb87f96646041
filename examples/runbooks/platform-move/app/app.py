"""The sample shop application: an HTTP server whose GET /health answers 200 with the engine and
the number of orders when its database answers, 503 otherwise. It reads DATABASE_URL from
app/.env on every request, so a switch of the file is a switch of the application.

    python3 app/app.py PORT
"""
import http.server, os, sqlite3, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))


def database_url():
    with open(os.path.join(here, ".env")) as env:
        for line in env:
            if line.startswith("DATABASE_URL="):
                return line.split("=", 1)[1].strip()
    raise RuntimeError("no DATABASE_URL in app/.env")


def count_orders(url):
    if url.startswith("sqlite:"):
        path = url[len("sqlite:"):]
        path = path if os.path.isabs(path) else os.path.join(here, "..", path)
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            return "sqlite", db.execute("SELECT count(*) FROM orders").fetchone()[0]
    result = subprocess.run(["psql", "-X", "-A", "-t", "-c", "SELECT count(*) FROM orders", url],
                            capture_output=True, text=True, timeout=10)
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip())
    return "postgresql", int(result.stdout.strip())


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/health":
            self.send_error(404)
            return
        try:
            engine, orders = count_orders(database_url())
            body, status = f"ok {engine} orders={orders}\n", 200
        except Exception as error:  # the database does not answer
            body, status = f"unhealthy: {error}\n", 503
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
