"""bot.serving.rasa_launch's cached validator accepts and refuses action-server responses exactly as
Rasa's own check does."""
import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot.serving import rasa_launch

GOOD = {"events": [{"event": "slot", "timestamp": None, "name": "case_number", "value": "X"}],
        "responses": [{"text": "您好"}]}
BAD = [{"events": [{"event": "slot", "name": 3}]}, {"events": "not a list"},
       {"responses": ["not an object"]}, {"events": [{"event": "no_such_event"}]}]


@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
    rasa_launch.fast_action_response_validation()
    assert getattr(RemoteAction._validate_action_result, "cached_validator", False)
    return RemoteAction("action_x", None)


def test_same_verdicts_as_jsonschema_validate(fast):
    schema = RemoteAction.action_response_format_spec()
    assert fast._validate_action_result(GOOD) is True
    jsonschema.validate(GOOD, schema)
    for response in BAD:
        with pytest.raises(jsonschema.ValidationError) as ours:
            fast._validate_action_result(response)
        with pytest.raises(jsonschema.ValidationError) as theirs:
            jsonschema.validate(response, schema)
        assert ours.value.message.startswith(theirs.value.message)
        assert "Failed to validate Action server response" in ours.value.message


def test_sqlite_databases_opened_through_sqlalchemy_use_wal(tmp_path):
    import sqlalchemy as sa
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    rasa_launch.fast_commits()
    rasa_launch.fast_commits()  # once is enough
    try:
        engine = sa.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        engine.dispose()
    finally:
        event.remove(Engine, "connect", rasa_launch._fast_commits)


def test_postgresql_connections_commit_without_waiting_for_the_disk():
    import sqlalchemy as sa
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    rasa_launch.fast_commits()
    try:
        engine = sa.create_engine("postgresql://postgres@127.0.0.1:5432/postgres")
        for _ in range(2):  # also after the pooled connection's reset (a rollback)
            with engine.connect() as connection:
                assert connection.exec_driver_sql("SHOW synchronous_commit").scalar() == "off"
        engine.dispose()
    finally:
        event.remove(Engine, "connect", rasa_launch._fast_commits)


def test_fast_commits_can_be_switched_off():
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from bot.core.settings import Settings

    rasa_launch.fast_commits(Settings.from_env({"GONGKAI_TRACKER_FAST_COMMITS": "0"}).rasa.fast_commits)
    assert not event.contains(Engine, "connect", rasa_launch._fast_commits)


def test_event_lookup_table_finds_the_classes_rasa_finds(monkeypatch):
    from rasa.shared.core.events import Event, SlotSet, UserUttered
    from rasa.shared.utils.common import all_subclasses

    original = Event.resolve_by_type
    monkeypatch.setattr(Event, "resolve_by_type", staticmethod(original))
    rasa_launch.fast_event_lookup()
    assert getattr(Event.resolve_by_type, "cached_classes", False)
    # every event type name Rasa knows, e.g. "slot" and "user", resolves to the same class
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert {"slot", "user", "active_loop", "session_started"} <= names
    for name in names:
        assert Event.resolve_by_type(name) is original(name)
    assert Event.resolve_by_type("slot") is SlotSet and Event.resolve_by_type("user") is UserUttered
    assert Event.resolve_by_type("topic") is None  # Rasa's old TopicSet: ignored, as by Rasa
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")
    event = Event.from_parameters({"event": "slot", "name": "topic", "value": "fees"})
    assert isinstance(event, SlotSet) and event.value == "fees"


@pytest.mark.parametrize("lean, threads", [("1", "1"), ("0", "unset")])
def test_lean_process_sets_one_tensorflow_thread_unless_turned_off(lean, threads):
    import os
    import subprocess
    import sys

    code = ("import os; from bot.serving import rasa_launch; rasa_launch.lean_process(); "
            "print(os.environ.get('TF_INTRA_OP_PARALLELISM_THREADS', 'unset'), "
            "os.environ.get('TF_INTER_OP_PARALLELISM_THREADS', 'unset'))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    env["GONGKAI_RASA_LEAN"] = lean
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == [threads, threads]


def _count_connections_of_requests(monkeypatch, patched: bool, calls: int = 5) -> int:
    """A loopback aiohttp server that counts the TCP connections the endpoint's requests open."""
    import asyncio

    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    monkeypatch.setattr(EndpointConfig, "session", EndpointConfig.session)
    if patched:
        rasa_launch.keep_alive_endpoints()
    peers: set = set()

    async def webhook(request: web.Request) -> web.Response:
        peers.add(request.transport.get_extra_info("peername"))  # (address, client port): one per connection
        return web.json_response({"events": [], "responses": []})

    async def run() -> None:
        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        endpoint = EndpointConfig(url=f"http://127.0.0.1:{port}/webhook", headers={"X-Test": "1"})
        for _ in range(calls):
            assert await endpoint.request(json={"next_action": "action_x"}) == {"events": [],
                                                                                  "responses": []}
        for kept in endpoint.__dict__.get("_kept_sessions", {}).values():
            await kept.close()
        await runner.cleanup()

    asyncio.run(run())
    return len(peers)


def test_action_calls_reuse_one_connection(monkeypatch):
    # Rasa's own: a new session per call, so five calls open five connections; kept alive: one.
    assert _count_connections_of_requests(monkeypatch, patched=False) == 5
    assert _count_connections_of_requests(monkeypatch, patched=True) == 1


# ---- NLU overhead (issue 17): the same results as Rasa's own code ---------------------------------


def test_sparse_combination_gives_rasas_features(monkeypatch):
    import numpy as np
    import scipy.sparse as sp
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message

    monkeypatch.setattr(Message, "_combine_features", Message.__dict__["_combine_features"])
    rasa_combine = Message._combine_features
    rasa_launch.fast_sparse_combination()
    ours = Message._combine_features
    assert ours is not rasa_combine
    rng = np.random.default_rng(17)

    def matrix(rows, columns, dtype, nnz):
        values = rng.random(nnz) * 9 if np.dtype(dtype).kind == "f" else rng.integers(1, 5, nnz)
        return sp.coo_matrix((values.astype(dtype), (rng.integers(0, rows, nnz),
                                                     rng.integers(0, columns, nnz))),
                             shape=(rows, columns))

    # the featurizers' matrices: RegexFeaturizer float64, CountVectorsFeaturizer int64; and others
    for dtypes in [("float64", "int64", "int64"), ("int64", "int64", "float32"), ("float32", "int32", "int64"),
                   ("int64", "float32"), ("float64",)]:
        for rows, nnz in [(1, 0), (1, 3), (4, 9), (30, 60)]:
            features = [Features(matrix(rows, width, dtype, nnz), "sequence", "text", f"f{i}")
                        for i, (width, dtype) in enumerate(zip((7, 3078, 10834), dtypes))]
            theirs, mine = rasa_combine(features, ["f0", "f1"]), ours(features, ["f0", "f1"])
            assert vars(mine).keys() == vars(theirs).keys()
            assert (mine.type, mine.attribute, mine.origin) == (theirs.type, theirs.attribute, ["f0", "f1"])
            a, b = theirs.features, mine.features
            assert type(a) is type(b) and a.shape == b.shape and a.dtype == b.dtype
            for part in ("row", "col", "data"):  # the same entries in the same order and dtypes
                assert getattr(a, part).dtype == getattr(b, part).dtype
                assert np.array_equal(getattr(a, part), getattr(b, part))
            assert [f.origin for f in features] == [f"f{i}" for i in range(len(dtypes))]  # untouched
    assert ours([], []) is None
    with pytest.raises(ValueError, match="sequence dimensions do not match"):
        ours([Features(matrix(3, 7, "float64", 2), "sequence", "text", "a"),
              Features(matrix(4, 7, "int64", 2), "sequence", "text", "b")], [])


def _graph(tmp_path, nodes):
    """A DaskGraphRunner over `nodes` (name → needs) of a component that appends its name."""
    from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    class Append(GraphComponent):
        @classmethod
        def create(cls, config, model_storage, resource, execution_context):
            return cls()

        def add(self, **lists):
            if any(value == "boom" for values in lists.values() for value in values):
                raise RuntimeError("boom")
            return [item for _, values in sorted(lists.items()) for item in values] + [id(self) % 7]

    schema = GraphSchema({name: SchemaNode(needs=needs, uses=Append, constructor_name="create",
                                           fn="add", config={}, eager=True)
                          for name, needs in nodes.items()})
    return DaskGraphRunner(schema, LocalModelStorage(tmp_path), ExecutionContext(schema, "x"))


def test_plain_runner_runs_a_chain_as_dask_does_and_leaves_shared_values_to_dask(tmp_path, monkeypatch):
    from rasa.engine.exceptions import GraphComponentException, GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner

    monkeypatch.setattr(DaskGraphRunner, "run", DaskGraphRunner.run)
    chain = {"a": {"items": "__in__"}, "b": {"items": "a"}, "c": {"items": "b", "more": "d"}, "d": {}}
    shared = {"a": {"items": "__in__"}, "b": {"items": "a"}, "c": {"items": "a", "more": "b"}}
    runners = {name: _graph(tmp_path / name, nodes) for name, nodes in (("chain", chain), ("shared", shared))}

    def run_all():
        found = {name: runner.run({"__in__": [1]}, ["c"]) for name, runner in runners.items()}
        found["missing"] = repr(pytest.raises(GraphRunError, runners["chain"].run, None, ["c"]).value)
        failed = pytest.raises(GraphComponentException, runners["chain"].run, {"__in__": ["boom"]}, ["c"])
        found["error"] = (str(failed.value), repr(failed.value.__cause__))
        return found

    theirs = run_all()
    rasa_launch.plain_graph_runner()
    assert run_all() == theirs
    plans = {name: [plan for _, plan in runner.__dict__["_plain_plans"].values()]
             for name, runner in runners.items()}
    assert all(plans["chain"]) and not any(plans["shared"])  # "a" goes to two nodes: dask's


def test_fast_nlu_can_be_switched_off(monkeypatch):
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.nlu.training_data.message import Message
    from rasa.utils.tensorflow.models import RasaModel

    from bot.core.settings import Settings

    for cls, name in ((RasaModel, "_rasa_predict"), (Message, "_combine_features"), (DaskGraphRunner, "run")):
        monkeypatch.setattr(cls, name, cls.__dict__[name])
    originals = (RasaModel._rasa_predict, Message._combine_features, DaskGraphRunner.run)
    rasa_launch.fast_nlu(Settings.from_env({"GONGKAI_RASA_FAST_NLU": "0"}).rasa.fast_nlu)
    assert (RasaModel._rasa_predict, Message._combine_features, DaskGraphRunner.run) == originals
    rasa_launch.fast_nlu(Settings.from_env({}).rasa.fast_nlu)
    assert getattr(RasaModel._rasa_predict, "direct", False)
    assert getattr(Message._combine_features, "stacked", False)
    assert getattr(DaskGraphRunner.run, "plain", False)
