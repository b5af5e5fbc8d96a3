"""Scale-out: two learner servers behind nginx, one PostgreSQL, a room joining through nginx.

Run: ``uv run python benchmarks/bench_scaleout.py [--learners 30] [--runs 5]``
(PostgreSQL from ``SAFESHARE_BENCH_PG_URL``, default the dev server on 127.0.0.1:55432).

Everything stays on loopback and is removed afterwards: a database of its own is created in
the PostgreSQL server (and dropped), two learner servers each warm half the room, and nginx
(Debian's package) is started in the foreground with a generated config (docs/deploy.md
shows the same config) and stopped at the end. nginx routes a new visitor round-robin and
sets a ``safeshare_route`` cookie naming the server that answered, so the kernel websocket
of that page reaches the server that owns its kernel. Each run: all learners open the
workshop link at once through nginx (light clients), wait for their first decision, answer
it, and wait for the feedback; the answers are then counted in PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from _harness import (
    SCENARIO,
    browser_assets,
    free_port,
    load,
    machine,
    save,
    served,
    summary,
    wait_pool,
)
from _voila_client import Page, feedback_shown, is_submit
from bench_click import fill

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:55432/postgres"
ROUTE_COOKIE = "safeshare_route"
NGINX_CONF = """
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
{site}
}}
"""
SITE = """
    # New visitors go round-robin; the route cookie then keeps each browser on the server
    # that holds its kernel (page, kernel websocket and shutdown must reach the same one).
    upstream learners {{ {all_servers} }}
{one_each}
    map $cookie_{cookie} $learner_upstream {{
{cookie_map}
        default learners;
    }}
    map $upstream_addr $learner_route {{
{route_map}
        default "";
    }}
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        "" close;
    }}
    # Voilà's scripts, styles and fonts (~94 files per first visit) are the same for every
    # learner: nginx keeps a copy, so each server sends each file once, not once a learner.
    proxy_cache_path {cache} levels=1:2 keys_zone=voila_static:10m max_size=200m inactive=7d;
    server {{
        listen {listen};
        location ~ ^/voila/(static|templates/[^/]+/static|labextensions|themes)/ {{
            proxy_pass http://$learner_upstream;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_cache voila_static;
            proxy_cache_valid 200 1d;
            proxy_cache_lock on;           # 30 first visitors at once: one fetch upstream
        }}
        location / {{
            proxy_pass http://$learner_upstream;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_buffering off;           # Voilà streams the page as cells finish
            proxy_read_timeout 2h;         # a learner may think for a long time
            proxy_send_timeout 2h;
            add_header Set-Cookie "{cookie}=$learner_route; Path=/; HttpOnly; SameSite=Lax" always;
        }}
    }}
"""


def nginx_site(listen: str, backends: list[str], cache: str) -> str:
    """The http-level config routing `listen` to `backends` (host:port), sticky by cookie,
    with Voilà's static files cached in the folder `cache`."""
    names = [chr(ord("a") + i) for i in range(len(backends))]
    pairs = list(zip(names, backends, strict=True))
    return SITE.format(
        listen=listen,
        cache=cache,
        cookie=ROUTE_COOKIE,
        all_servers=" ".join(f"server {b};" for b in backends),
        one_each="\n".join(f"    upstream learner_{n} {{ server {b}; }}" for n, b in pairs),
        cookie_map="\n".join(f"        {n} learner_{n};" for n in names),
        route_map="\n".join(f"        {b} {n};" for n, b in pairs),
    )


@contextlib.contextmanager
def nginx(backends: list[str]) -> Iterator[str]:
    """nginx in the foreground on a free loopback port; yields its base URL, stops it after."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="safeshare-nginx-") as tmp:
        os.chmod(tmp, 0o755)  # nginx's workers drop root; they must reach the temp folders
        conf = Path(tmp) / "nginx.conf"
        site = nginx_site(f"127.0.0.1:{port}", backends, f"{tmp}/cache")
        conf.write_text(NGINX_CONF.format(tmp=tmp, site=site), encoding="utf-8")
        check = subprocess.run([binary, "-t", "-c", str(conf)], capture_output=True, text=True)
        if check.returncode:
            raise RuntimeError(f"nginx rejected the config:\n{check.stderr}")
        proc = subprocess.Popen([binary, "-c", str(conf)], stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 10
            while not (Path(tmp) / "nginx.pid").exists():
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start: {proc.stderr.read()}")
                time.sleep(0.05)
            yield f"http://127.0.0.1:{port}/"
        finally:
            proc.terminate()  # SIGTERM: nginx's fast shutdown, workers included
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextlib.contextmanager
def scratch_database(admin_url: str) -> Iterator[str]:
    """A new PostgreSQL database for this run (dropped afterwards); its SQLAlchemy URL."""
    import psycopg

    name = f"safeshare_bench_{uuid.uuid4().hex[:10]}"
    conninfo = admin_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def room(
    url: str, query: str, learners: int, timeout: float, assets: list[str] | bool
) -> list[dict]:
    """All learners at once: open, first decision, answer, feedback; one record each."""

    async def learner() -> dict:
        page = Page(url, query)
        record: dict = {"route": None, "rendered": None, "feedback": None, "error": None}
        try:
            timing = await page.open(assets=assets, timeout=timeout)
            record.update(route=page.cookies.get(ROUTE_COOKIE), rendered=timing.rendered)
            record["served"] = timing.served
            fill(page)
            page.click(page.widgets.find(page.root, is_submit)[0])
            record["feedback"] = await page.wait_for(feedback_shown, timeout)
        except Exception as exc:  # noqa: BLE001 - a failed learner is counted, not fatal
            record["error"] = f"{type(exc).__name__}: {exc}"
        finally:
            await page.close()
        return record

    return await asyncio.gather(*(learner() for _ in range(learners)))


def count_answers(database_url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM answers")).scalar_one()
    finally:
        engine.dispose()


def run(admin_url: str, learners: int, runs: int, timeout: float) -> dict:
    from toolkit.storage import open_store

    with served("learner", 1) as (server, _):  # what a browser fetches, as in bench_room
        assets = browser_assets(f"{server.url}?scenario={SCENARIO}")
    per_server = -(-learners // 2)
    records: list[list[dict]] = []
    counted: list[int] = []
    with scratch_database(admin_url) as db:
        code = open_store(db).add_cohort("Scale-out room", [SCENARIO])["code"]
        with (
            served("learner", per_server, database_url=db) as (one, warm_one),
            served("learner", per_server, database_url=db) as (two, warm_two),
            nginx([f"127.0.0.1:{one.port}", f"127.0.0.1:{two.port}"]) as front,
        ):
            query = f"session={code}&scenario={SCENARIO}"
            for n in range(runs):
                for server in (one, two):
                    wait_pool(server, per_server * (n + 1))
                records.append(asyncio.run(room(front, query, learners, timeout, assets)))
                counted.append(count_answers(db))
    return {"records": records, "counted": counted, "warm": [warm_one, warm_two]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    admin_url = os.environ.get("SAFESHARE_BENCH_PG_URL", DEFAULT_PG)
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        print("skipped: nginx is not installed (apt-get install nginx)")
        return 0
    try:
        import psycopg

        psycopg.connect(admin_url.replace("+psycopg", ""), connect_timeout=3).close()
    except Exception as exc:  # noqa: BLE001 - any failure to connect means: skip, say why
        print(
            f"skipped: no PostgreSQL at {admin_url} ({type(exc).__name__}); "
            "set SAFESHARE_BENCH_PG_URL"
        )
        return 0
    print(f"machine: {machine()}\n")
    runs = max(5, args.runs)
    result = run(admin_url, args.learners, runs, args.timeout)
    return report(result, args.learners, runs)


def report(result: dict, learners: int, runs: int) -> int:
    records = result["records"]
    ok = [[r for r in burst if r["feedback"] is not None] for burst in records]
    slowest_served = [max((r["served"] for r in b), default=float("inf")) for b in ok]
    slowest_render = [max((r["rendered"] for r in b), default=float("inf")) for b in ok]
    slowest_feedback = [max((r["feedback"] for r in b), default=float("inf")) for b in ok]
    routes = Counter(r["route"] for burst in records for r in burst)
    expected = [learners * (n + 1) for n in range(runs)]
    print(
        f"{learners} learners at once through nginx → 2 learner servers (room "
        f"{-(-learners // 2)} each) → one PostgreSQL; {runs} bursts.\n"
    )
    print("| per burst | median | min | max | runs |\n|---|---:|---:|---:|---:|")
    for label, values in [
        ("slowest page served", slowest_served),
        ("slowest first decision rendered", slowest_render),
        ("slowest Submit → feedback (all answering at once)", slowest_feedback),
    ]:
        s = summary(values)
        print(f"| {label} | {s['median']:.2f} s | {s['min']:.2f} | {s['max']:.2f} | {s['n']} |")
    print(
        f"\nservers warmed in {result['warm'][0]:.0f} s and {result['warm'][1]:.0f} s "
        f"(one after the other); pages per server (route cookie): {dict(sorted(routes.items()))}"
    )
    print(
        f"learners with feedback, per burst: {[len(b) for b in ok]} of {learners}; answers "
        f"in PostgreSQL after each burst: {result['counted']} (expected {expected})"
    )
    for burst in records:
        for r in [r for r in burst if r["error"]][:3]:
            print(f"- failed: {r['error']}")
    all_counted = result["counted"] == expected and all(len(b) == learners for b in ok)
    print(
        f"\nevery learner served and every answer stored: **{'yes' if all_counted else 'no'}**;"
        f" after the run: {load()}"
    )
    save(
        "scaleout",
        {
            "served_max": summary(slowest_served),
            "rendered_max": summary(slowest_render),
            "feedback_max": summary(slowest_feedback),
            "routes": dict(routes),
            "counted": result["counted"],
            "expected": expected,
            "all_counted": all_counted,
        },
    )
    return 0 if all_counted else 1


if __name__ == "__main__":
    sys.exit(main())
