"""Where a booking request spends its time: ``make bench-profile`` (pyinstrument).

On a fresh bench database (see ``bench/rush.py``) the full Django stack handles, in this
process, ``--capacity`` successful bookings, then as many "penuh" answers, then the
availability page, each profiled separately; the SQL of the first request of each kind is
listed (later "penuh" answers and warm availability pages need fewer: docs/performance.md).
"""

import argparse
import uuid

from bench.rush import prepared, seeded


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--capacity", type=int, default=300)
    parser.add_argument("--html", default="", help="also write the profiles as HTML files with this prefix")
    args = parser.parse_args(argv)
    with prepared() as _env:
        session_id, visitors = seeded(visitors=2 * args.capacity, capacity=args.capacity)
        from django.db import connection
        from django.test import Client
        from pyinstrument import Profiler

        path = f"/jadwal/sesi/{session_id}/pesan/"
        # One client (one middleware chain, like a worker); each visitor brings their own cookies.
        client = Client(
            enforce_csrf_checks=True, headers={"X-Forwarded-Proto": "https", "Origin": "https://testserver"}
        )

        def client_for(v) -> Client:
            client.cookies.clear()
            client.cookies["sessionid"] = v.sessionid
            client.cookies["csrftoken"] = v.csrf_cookie
            return client

        def count_queries(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        def book(v):
            data = {"csrfmiddlewaretoken": v.csrf_token, "token": str(uuid.uuid4()), "acknowledge": "on"}
            return client_for(v).post(path, data, secure=True)

        def availability(v):
            return client_for(v).get("/jadwal/", secure=True)

        plan = [
            ("booking (success)", book, visitors[: args.capacity], 302),
            ("booking (penuh)", book, visitors[args.capacity :], 409),
            ("availability (logged in)", availability, visitors[: args.capacity], 200),
        ]
        for name, request, people, expected in plan:
            queries = []
            with connection.execute_wrapper(count_queries):
                first = request(people[0])
            assert first.status_code == expected, (name, first.status_code)
            profiler = Profiler(interval=0.0002)
            profiler.start()
            for v in people[1:]:
                response = request(v)
                assert response.status_code == expected, (name, response.status_code)
            profiler.stop()
            seconds = profiler.last_session.duration / max(1, len(people) - 1)
            print(f"\n=== {name}: first request {len(queries)} queries; {seconds * 1000:.2f} ms per request (profiled)")
            for sql in queries:
                print("   ", sql[:160])
            print(profiler.output_text(unicode=True, color=False, show_all=False))
            if args.html:
                filename = f"{args.html}-{name.split()[0]}-{expected}.html"
                with open(filename, "w") as out:
                    out.write(profiler.output_html())
        connection.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
