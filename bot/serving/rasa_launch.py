"""``python -m bot.serving.rasa_launch <arguments of the rasa command>``: the ``rasa`` command with
process-wide adjustments made before it starts (bot/tooling/servers.py starts the Rasa server this way):

* personal data masked in every log record (bot.rules.privacy.install_log_masking; logging.yml does the
  same for a plain ``rasa run --logging-config-file logging.yml``);
* Rasa 3.6 checks each action-server response with ``jsonschema.validate()``, which with the
  locked jsonschema 4.17 first re-validates the (constant) schema against its meta-schema: ~15 ms
  of CPU per custom-action call, the largest single cost of a turn in a profile of the server
  under load (docs/benchmarks.md, "Load"). The replacement validates against the same schema with
  a validator built once (~0.4 ms) and raises the same error;
* ``Event.resolve_by_type`` (every event read from the tracker store or an action's response
  becomes an object through it) walks the whole tree of Event classes, with an
  ``inspect.isabstract`` per class, for each event: 2.5 of the 2.9 s of rebuilding 20 trackers of
  124 events in a profile (docs/benchmarks.md, "Conversation length: the mechanism"). The
  replacement looks the class up in a table of the same classes built once
  (built again when a type name is not found, then Rasa's own lookup answers);
* less resident memory (``lean_process``): two malloc arenas instead of glibc's eight per core and
  one TensorFlow thread pool thread each for intra- and inter-op work: ~65–125 MB less RSS
  (docs/benchmarks.md, "Memory"); ``GONGKAI_RASA_LEAN=0`` keeps the defaults;
* tracker-store commits that do not wait for the disk: Rasa's SQL tracker store commits
  synchronously inside the event loop, and each commit's fsync (2–10 ms on this disk) blocked
  every other conversation of the process. SQLite: WAL mode with ``synchronous=NORMAL`` (a commit
  is an append to the log, fsynced at checkpoints); PostgreSQL: ``synchronous_commit=off`` for the
  Rasa server's own connections only. Neither can corrupt the database; a power failure (SQLite)
  or a database-server crash (PostgreSQL) may lose the last moments of conversation history —
  an acceptable price for chat transcripts. The case store and the desk, in other processes,
  keep fully synchronous commits. ``GONGKAI_TRACKER_FAST_COMMITS=0`` keeps the tracker's commits
  fully synchronous too (slower under load: every fsync then blocks the Rasa process);
* ``SQLTrackerStore.session_scope`` exits the process only for the error it was written for (the
  PostgreSQL schema named by POSTGRESQL_SCHEMA does not exist). Rasa 3.6 answers *any*
  ``ValueError`` inside the scope with ``sys.exit(1)`` — a ``UnicodeEncodeError`` from one
  unstorable sender id stopped the whole server. Other errors now fail that request only (the
  channels' guard answers it with an apology).
* HTTP connections to the action server are kept open (``keep_alive_endpoints``): Rasa 3.6 makes a
  new ``aiohttp`` session, and so a new TCP connection, for every action call; reusing one saves
  about 1 ms of the Rasa server's CPU and 4 ms of wall time per call on this machine
  (docs/benchmarks.md, "Profile of a turn").
* DIET and the ResponseSelector are loaded for prediction only (``inference_only_models``): Rasa 3.6
  builds a loaded model by *training it one step* (``RasaModel.load`` calls ``fit``), which traces
  the training graph and creates Adam's two slot variables per weight before the trained weights
  are read. Building the model with one prediction instead and restoring only the weights it uses
  gives the same predictions (tests/system/nlu/test_inference_only_models.py) with ~440 MB less
  RSS (1,370 → 930 MB, docs/benchmarks.md "Memory") and a faster start. Fine-tuning
  (``--finetune``) still loads the whole training state; ``GONGKAI_RASA_LEAN=0`` keeps Rasa's
  loader too.
* NLU overhead (``fast_nlu``, issue 17): of the ~9 ms of CPU Rasa spends parsing one message, TensorFlow
  itself computes ~1.5; the rest is Python around it. Three patches cut it to ~5 ms
  (bench/nlu_overhead.py; docs/benchmarks.md, "Fifth session: NLU overhead"), each giving the same
  parse, bit for bit on every development and held-out question
  (tests/system/nlu/test_fast_nlu.py):

  - ``direct_predict_calls``: DIET and the ResponseSelector call the graph function that
    ``tf.function`` traced for its input signature directly (the call ``tf.function`` makes
    itself), instead of binding, converting and checking the arguments against the signature and
    looking the trace up again on every message; inputs whose dtype, rank or last dimension the
    signature would not accept, the first (tracing) call and eager mode keep Rasa's call;
  - ``fast_sparse_combination``: a message's sparse features (RegexFeaturizer, the two
    CountVectorsFeaturizers) are put side by side for each of the two models as Rasa does it (a
    deep copy of the first, then ``scipy.sparse.hstack`` with each next one) — the same entries in
    the same order and dtypes — in one step: no deep copy of a matrix that is replaced anyway, one
    COO matrix built instead of five, none of scipy's general block-matrix code;
  - ``plain_graph_runner``: a graph in which no value goes to two nodes (the NLU graph: a chain of
    components, and the domain) runs node after node in dependency order instead of through dask's
    scheduler; other graphs (the policies share the tracker) stay with dask.

  ``GONGKAI_RASA_FAST_NLU=0`` keeps Rasa's own code for all three.
"""
from __future__ import annotations

from typing import Any, Dict, Optional


def fast_action_response_validation() -> None:
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    if getattr(RemoteAction._validate_action_result, "cached_validator", False):
        return
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)  # once, instead of on every response
    validator = validator_class(schema)

    def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
        error = best_match(validator.iter_errors(result))  # what jsonschema.validate raises
        if error is None:
            return True
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error

    _validate_action_result.cached_validator = True  # type: ignore[attr-defined]  # a marker for tests
    RemoteAction._validate_action_result = _validate_action_result


def fast_event_lookup() -> None:
    """``Event.resolve_by_type`` from a table built once (module docstring)."""
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    original = Event.resolve_by_type
    if getattr(original, "cached_classes", False):
        return
    classes: Dict[str, Any] = {}

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        found = classes.get(type_name)
        if found is None:  # first call, or a class imported since: the table again
            classes.clear()
            for cls in all_subclasses(Event):
                classes.setdefault(cls.type_name, cls)  # the first one wins, as in Rasa's loop
            found = classes.get(type_name)
        return found if found is not None else original(type_name, default)

    resolve_by_type.cached_classes = True  # type: ignore[attr-defined]  # a marker: patched once
    Event.resolve_by_type = staticmethod(resolve_by_type)


def _fast_commits(dbapi_connection, _record) -> None:
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
    elif type(dbapi_connection).__module__.startswith("psycopg2"):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")
        dbapi_connection.commit()  # a SET inside psycopg2's implicit transaction must stick


def fast_commits(enabled: Optional[bool] = None) -> None:
    """Tracker-store commits that do not wait for the disk (see the module docstring), unless
    `enabled` (default: GONGKAI_TRACKER_FAST_COMMITS, ``settings.rasa.fast_commits``) is false."""
    from bot.core.settings import settings

    if not (settings.rasa.fast_commits if enabled is None else enabled):
        return
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if not event.contains(Engine, "connect", _fast_commits):
        event.listen(Engine, "connect", _fast_commits)


def exit_only_on_missing_schema() -> None:
    """SQLTrackerStore.session_scope: sys.exit for a missing schema only (module docstring)."""
    import contextlib

    from rasa.core import tracker_store
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.utils.cli import print_error_and_exit

    if getattr(SQLTrackerStore.session_scope, "exits_only_on_missing_schema", False):
        return

    @contextlib.contextmanager
    def session_scope(self: SQLTrackerStore):
        session = self.sessionmaker()
        try:
            try:
                tracker_store.ensure_schema_exists(session)
            except ValueError as schema:  # raised with the missing schema's name
                print_error_and_exit(
                    f"Requested PostgreSQL schema '{schema}' was not found in the database. "
                    f"Create it, or unset {tracker_store.POSTGRESQL_SCHEMA} to use the default "
                    f"schema. Exiting application.")
            yield session
        finally:
            session.close()

    session_scope.exits_only_on_missing_schema = True  # type: ignore[attr-defined]  # a marker
    SQLTrackerStore.session_scope = session_scope


# Below Sanic's keep-alive timeout (5 s, the action server's): the client lets an idle connection go
# before the server closes it, so a request never goes out on a connection being closed under it.
KEEP_ALIVE_SECONDS = 3.0


class _KeptSession:
    """``async with endpoint.session()`` on a session that outlives the block (Rasa closes the
    session it gets at the end of each block)."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def __aenter__(self) -> Any:
        return self.session

    async def __aexit__(self, *_exc: object) -> None:
        return None


def keep_alive_endpoints() -> None:
    """One ``aiohttp`` session per endpoint and event loop, its connections kept alive
    (module docstring). Headers, basic auth and the timeout are Rasa's own."""
    import asyncio

    import aiohttp
    from rasa.utils import endpoints

    config = endpoints.EndpointConfig
    if getattr(config.session, "kept_alive", False):
        return
    original = config.session

    def session(self: Any) -> Any:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # outside a loop nothing can be kept: Rasa's own behaviour
            return original(self)
        kept = self.__dict__.setdefault("_kept_sessions", {})
        current = kept.get(loop)
        if current is None or current.closed:
            auth = (aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
                    if self.basic_auth else None)
            current = kept[loop] = aiohttp.ClientSession(
                headers=self.headers, auth=auth,
                timeout=aiohttp.ClientTimeout(total=endpoints.DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEP_ALIVE_SECONDS))
        return _KeptSession(current)

    session.kept_alive = True  # type: ignore[attr-defined]  # a marker: patched once
    config.session = session


M_ARENA_MAX = -8  # glibc's mallopt parameter (malloc.h)


def inference_only_models() -> None:
    from rasa.utils.tensorflow.models import RasaModel

    if getattr(RasaModel.load, "inference_only", False):
        return
    rasa_load = RasaModel.load.__func__

    def load(cls: type, model_file_name: str, model_data_example: Any,
             predict_data_example: Any = None, finetune_mode: bool = False,
             *args: Any, **kwargs: Any) -> RasaModel:
        if finetune_mode or predict_data_example is None:  # training goes on: Rasa's own loader
            return rasa_load(cls, model_file_name, model_data_example, predict_data_example,
                             finetune_mode, *args, **kwargs)
        model = cls(*args, **kwargs)
        model.run_inference(predict_data_example)  # creates the variables prediction uses
        # the optimizer's slots in the checkpoint have no variable here: expected
        model.load_weights(model_file_name).expect_partial()
        # that first prediction computed the label embeddings from the untrained weights and
        # traced them into the prediction function: both again, from the trained weights
        model.prepared_for_prediction = False
        model._tf_predict_step = None
        model.run_inference(predict_data_example)
        return model

    load.inference_only = True  # type: ignore[attr-defined]
    RasaModel.load = classmethod(load)


def direct_predict_calls() -> None:
    """DIET's and the ResponseSelector's prediction calls the traced graph function directly
    (module docstring, "NLU overhead")."""
    import numpy as np
    import tensorflow as tf
    from keras.utils import tf_utils
    from rasa.shared.constants import DIAGNOSTIC_DATA
    from rasa.utils.tensorflow.models import RasaModel

    rasa_predict = RasaModel._rasa_predict
    if getattr(rasa_predict, "direct", False):
        return

    def direct(self: RasaModel, step: Any) -> Any:
        """(step, graph function, its argument specs) for `self`'s traced predict step, or
        (step, None, None) when it cannot be called directly: Rasa's call then."""
        found = self.__dict__.get("_direct_predict")  # not an attribute Keras tracks
        if found is None or found[0] is not step:
            try:
                concrete = step.get_concrete_function()  # the one trace of its input signature
                specs = tuple(tf.nest.flatten(step.input_signature))
                concrete._call_flat  # noqa: B018  # the entry point tf.function itself uses
                found = (step, concrete, specs)
            except (AttributeError, TypeError, ValueError):  # another TensorFlow: Rasa's call
                found = (step, None, None)
            self.__dict__["_direct_predict"] = found
        return found

    def _rasa_predict(self: RasaModel, batch_in: Any) -> Any:
        step = self._tf_predict_step
        if step is None or self._run_eagerly or not self.prepared_for_prediction:
            return rasa_predict(self, batch_in)  # the first call traces the graph: Rasa's own
        _, concrete, specs = direct(self, step)
        if concrete is None or type(batch_in) is not tuple or len(batch_in) != len(specs):
            return rasa_predict(self, batch_in)
        for value, spec in zip(batch_in, specs):
            # what tf.function's signature check accepts: the spec's dtype and rank and, where
            # the spec fixes it, the last dimension; anything else is Rasa's call (and error)
            if (not isinstance(value, np.ndarray) or value.dtype != spec.dtype.as_numpy_dtype
                    or value.ndim != spec.shape.rank
                    or spec.shape[-1] is not None and value.shape[-1] != spec.shape[-1]):
                return rasa_predict(self, batch_in)
        if self._training is not False:  # Rasa sets it on every call (a tracked Keras attribute)
            self._training = False
        tensors = [tf.convert_to_tensor(value) for value in batch_in]
        outputs = tf_utils.sync_to_numpy_or_python_type(
            concrete._call_flat(tensors, captured_inputs=concrete.captured_inputs))
        if DIAGNOSTIC_DATA in outputs:
            outputs[DIAGNOSTIC_DATA] = self._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
        return outputs

    _rasa_predict.direct = True  # type: ignore[attr-defined]  # a marker: patched once
    RasaModel._rasa_predict = _rasa_predict


def fast_sparse_combination() -> None:
    """A message's sparse features combined as Rasa combines them (a copy of the first, then
    ``scipy.sparse.hstack`` with each next one) in one step, without copying the first matrix and
    without scipy's general block-matrix code (module docstring, "NLU overhead")."""
    import copy

    import numpy as np
    from rasa.shared.nlu.training_data.message import Message
    from scipy.sparse import coo_matrix
    from scipy.sparse._sputils import get_index_dtype, upcast

    rasa_combine = Message._combine_features
    if getattr(rasa_combine, "stacked", False):
        return

    def _combine_features(features: Any, featurizers: Any) -> Any:
        matrices = [f.features for f in features]
        if (len(matrices) < 2 or any(type(m) is not coo_matrix for m in matrices)
                or any(m.shape[0] != matrices[0].shape[0] for m in matrices)):
            return rasa_combine(features, featurizers)  # and Rasa's error for unequal rows
        # what each hstack (scipy.sparse.bmat, one row of two COO blocks) makes of the matrix so
        # far and the next: its entries, then the next's with their columns moved past it; the
        # data and index dtypes each step would give, the same order
        first = matrices[0]
        rows, columns = first.shape
        data, row, col = first.data, first.row, first.col
        for matrix in matrices[1:]:
            width = columns + matrix.shape[1]
            index = get_index_dtype(maxval=max(rows, width))
            data = np.concatenate((data, matrix.data), dtype=upcast(data.dtype, matrix.dtype),
                                  casting="unsafe")  # as bmat's assignments into its result
            row = np.concatenate((row, matrix.row), dtype=index, casting="unsafe")
            col = np.concatenate((col, np.add(matrix.col, columns, dtype=index)), dtype=index,
                                 casting="unsafe")
            columns = width
        combined = copy.copy(features[0])  # type, attribute: strings; features and origin replaced
        combined.features = coo_matrix((data, (row, col)), shape=(rows, columns))
        combined.origin = featurizers
        combined._cached_fingerprint = None
        return combined

    _combine_features.stacked = True  # type: ignore[attr-defined]  # a marker: patched once
    Message._combine_features = staticmethod(_combine_features)


def _plain_plan(schema: Any, targets: Any, input_names: Any) -> Optional[Any]:
    """The nodes of `schema` (a minimal schema for `targets`) in an order that runs each after the
    nodes it needs, with their needs; None where the order could matter or dask should decide: a
    value that more than one node receives (one could change what the other reads), an input
    named like a node, a target that is no node, a cycle."""
    nodes = schema.nodes
    consumers: Dict[str, int] = {}
    for node in nodes.values():
        for need in node.needs.values():
            consumers[need] = consumers.get(need, 0) + 1
    if (any(count > 1 for count in consumers.values()) or set(input_names) & set(nodes)
            or not set(targets) <= set(nodes)):
        return None
    order: list = []
    done: set = set()
    while len(order) < len(nodes):
        ready = [name for name, node in nodes.items() if name not in done
                 and all(need in done or need not in nodes for need in node.needs.values())]
        if not ready:
            return None  # a cycle: dask's error
        for name in ready:
            order.append((name, tuple(nodes[name].needs.values())))
            done.add(name)
    return tuple(order)


def plain_graph_runner() -> None:
    """Graphs whose order cannot matter (the NLU graph: one chain of components and the domain)
    run node after node instead of through dask's scheduler (module docstring, "NLU overhead")."""
    import logging

    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner import dask as dask_runner
    from rasa.engine.runner.dask import DaskGraphRunner

    dask_run = DaskGraphRunner.run
    if getattr(dask_run, "plain", False):
        return
    log = dask_runner.logger

    def run(self: DaskGraphRunner, inputs: Optional[Dict[str, Any]] = None,
            targets: Optional[Any] = None) -> Dict[str, Any]:
        run_targets = targets if targets else self._graph_schema.target_names
        plans = self.__dict__.setdefault("_plain_plans", {})
        key = (id(self._graph_schema), tuple(run_targets), tuple(inputs or ()))
        if key not in plans:
            plans[key] = (self._graph_schema, _plain_plan(
                self._graph_schema.minimal_graph_schema(run_targets), run_targets, inputs or ()))
        schema, plan = plans[key]
        if plan is None or schema is not self._graph_schema:
            return dask_run(self, inputs, targets)
        # the graph dask would run: the inputs as (name, value), checked as Rasa checks them
        results: Dict[str, Any] = dict.fromkeys(name for name, _ in plan)
        self._add_inputs_to_graph(inputs, results)
        if log.isEnabledFor(logging.DEBUG):
            log.debug(f"Running graph with inputs: {inputs}, targets: {targets} "
                      f"and {self._execution_context}.")
        try:
            for name, needs in plan:
                # a need that is neither a node nor an input: its name, as dask passes it
                results[name] = self._instantiated_nodes[name](
                    *[results.get(need, need) for need in needs])
            return dict(results[target] for target in run_targets)
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e

    run.plain = True  # type: ignore[attr-defined]  # a marker: patched once
    DaskGraphRunner.run = run


def fast_nlu(enabled: Optional[bool] = None) -> None:
    """Less CPU per message in NLU, the same parse (module docstring, "NLU overhead"), unless
    `enabled` (default: GONGKAI_RASA_FAST_NLU, ``settings.rasa.fast_nlu``) is false."""
    from bot.core.settings import settings

    if not (settings.rasa.fast_nlu if enabled is None else enabled):
        return
    direct_predict_calls()
    fast_sparse_combination()
    plain_graph_runner()


def lean_process() -> None:
    """Less resident memory (docs/benchmarks.md, "Memory"): two malloc arenas instead of glibc's
    eight per core, whose partly used arenas TensorFlow's many threads keep resident; and one
    thread for TensorFlow's operations (Rasa predicts one small batch at a time: more threads only
    add pools and stacks). Set before Rasa imports TensorFlow and starts a thread; an operator's
    own TF_*_PARALLELISM_THREADS win; GONGKAI_RASA_LEAN=0 (``settings.rasa.lean``) keeps every
    default."""
    import ctypes
    import ctypes.util
    import os

    from bot.core.settings import settings

    if not settings.rasa.lean:
        return
    os.environ.setdefault("TF_INTRA_OP_PARALLELISM_THREADS", "1")
    os.environ.setdefault("TF_INTER_OP_PARALLELISM_THREADS", "1")
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt(M_ARENA_MAX, 2)
    except (OSError, AttributeError):  # not glibc: its allocator has no arenas to limit
        pass


def main() -> None:
    from bot.core.settings import settings
    from bot.rules.privacy import install_log_masking

    lean_process()
    if settings.rasa.lean:
        inference_only_models()
    fast_nlu()
    install_log_masking()
    fast_event_lookup()
    fast_action_response_validation()
    fast_commits()
    exit_only_on_missing_schema()
    keep_alive_endpoints()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
