"""Load test of the public pages: `make loadtest` runs it headless against gunicorn.

A mix of what analysts do: the statement list, filters, text search, speaker pages and
search, article pages, country and topic pages, and CSV/JSON exports of filtered lists.
The slugs, ids and codes used are real ones, read before the test starts.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import gevent
import requests
from locust import HttpUser, events, task

SAMPLE: dict[str, list] = {"speakers": [], "articles": [], "countries": [], "topics": []}
WORDS = ["talks", "sanctions", "ceasefire", "security", "cooperation", "election", "nato"]
# Behind the TLS proxy every request arrives marked as HTTPS (SECURE_PROXY_SSL_HEADER).
HEADERS = {"X-Forwarded-Proto": "https"}


@events.test_start.add_listener
def load_sample(environment, **kwargs):
    """Real slugs, ids and codes to ask for: from the file `loadtest/run.py` reads out of the
    database (LOAD_SAMPLE), else from the speaker search (not counted in the results)."""
    path = os.environ.get("LOAD_SAMPLE")
    if path:
        SAMPLE.update(json.loads(Path(path).read_text()))
    else:
        host = environment.host.rstrip("/")
        response = requests.get(f"{host}/speakers/?format=json", headers=HEADERS, timeout=60)
        SAMPLE["speakers"] = [s["slug"] for s in response.json()["results"]]
    for key, fallback in (("speakers", "x"), ("articles", 1), ("countries", "US"),
                          ("topics", "x")):  # fmt: skip
        SAMPLE[key] = SAMPLE.get(key) or [fallback]


# Think time between two pages, in seconds: an analyst reads what a page shows before the
# next click (LOAD_WAIT="1,3" makes a stress test of the same mix).
THINK = [float(x) for x in os.environ.get("LOAD_WAIT", "5,15").split(",")]
# The stress runs instead give each user a mean rate (requests per second per user), with
# pauses drawn at random as independent users' are: a fixed pace kept the users that
# locust started in the same second clicking in the same instant, every time.
RATE = float(os.environ.get("LOAD_USER_RATE", "0"))


def _pause(user=None) -> float:
    return random.expovariate(RATE) if RATE else random.uniform(*THINK)


class Analyst(HttpUser):
    wait_time = _pause

    def on_start(self):
        self.client.headers.update(HEADERS)
        # Users arrive spread out, each as if in the middle of a session: locust starts a
        # batch of users in the same instant every second, and the batch's first pages,
        # all sent at once, measured how locust spawns rather than how the site serves.
        gevent.sleep(random.uniform(0, 1 / RATE if RATE else THINK[1]))

    def pick(self, key):
        return random.choice(SAMPLE[key])

    @task(6)
    def statement_list(self):
        self.client.get(f"/?page={random.randint(1, 40)}", name="/ (list)")

    @task(5)
    def filtered_list(self):
        params = random.choice(
            [
                {"country": self.pick("countries")},
                {"topic": self.pick("topics"), "kind": "direct"},
                {"date_from": "2024-01-01", "date_to": "2024-06-30"},
                {"speaker": self.pick("speakers"), "kind": "indirect"},
            ]
        )
        self.client.get("/", params=params, name="/ (filter)")

    @task(4)
    def text_search(self):
        self.client.get("/", params={"q": random.choice(WORDS)}, name="/ (search)")

    @task(2)
    def htmx_results(self):
        self.client.get(
            "/",
            params={"topic": self.pick("topics")},
            headers={"HX-Request": "true"},
            name="/ (htmx)",
        )

    @task(4)
    def speaker_page(self):
        self.client.get(f"/speakers/{self.pick('speakers')}/", name="/speakers/<slug>/")

    @task(2)
    def speaker_search(self):
        self.client.get("/speakers/", params={"q": random.choice(["jen", "lav", "erdo", "ma"])},
                        name="/speakers/?q")  # fmt: skip

    @task(4)
    def article_page(self):
        self.client.get(f"/articles/{self.pick('articles')}/", name="/articles/<id>/")

    @task(2)
    def country_page(self):
        self.client.get(f"/countries/{self.pick('countries').lower()}/", name="/countries/<code>/")

    @task(2)
    def topic_page(self):
        self.client.get(f"/topics/{self.pick('topics')}/", name="/topics/<slug>/")

    @task(1)
    def export_csv(self):
        self.client.get(
            "/", params={"speaker": self.pick("speakers"), "format": "csv"}, name="/?format=csv"
        )

    @task(1)
    def export_json(self):
        self.client.get(
            "/",
            params={"country": self.pick("countries"), "date_from": "2024-01-01",
                    "date_to": "2024-01-31", "format": "json"},
            name="/?format=json",
        )  # fmt: skip
