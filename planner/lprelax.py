"""The LP relaxation of a CP-SAT model, solved with GLOP or HiGHS, and LP rounding (RENS).

The master model's LP bound is nearly tight, but CP-SAT's own search takes long to prove it.
Solving the relaxation directly gives the bound in seconds; fixing the activities the LP
already decides (0 or 1) leaves a smaller model for CP-SAT.
"""

from __future__ import annotations

import os
import tempfile
import threading

from ortools.linear_solver import linear_solver_pb2, pywraplp
from ortools.sat import cp_model_pb2
from ortools.sat.python import cp_model

from planner import clock, interrupt

BIG = 2**62
INF = float("inf")
# HiGHS's interior point method (with crossover to a vertex) is faster than GLOP's simplex on
# some of these LPs (the bench station: 3.0 s against 5.2 s) and slower on others (a bench
# district month: 5.5 s against 3.3 s); where there are cores for both, the first to finish wins
ENGINE_PARAMETERS = {"GLOP": "", "HIGHS": "solver=ipm\noutput_flag=false"}


def linear_relaxation(model: cp_model.CpModel) -> linear_solver_pb2.MPModelProto | None:
    """The model's LP relaxation, or None where the model has a constraint kind other than
    linear, at most one and exactly one (the kinds the planner's models use): unavailable
    rather than wrong."""
    proto = _readable(model)
    lp = linear_solver_pb2.MPModelProto()
    costs: dict[int, float] = {}
    for var, coef in zip(proto.objective.vars, proto.objective.coeffs):
        costs[var] = costs.get(var, 0.0) + coef
    for i, v in enumerate(proto.variables):
        lp.variable.add(lower_bound=v.domain[0], upper_bound=v.domain[-1], objective_coefficient=costs.get(i, 0.0))
    for c in proto.constraints:
        kind = c.WhichOneof("constraint")
        if len(c.enforcement_literal) or kind not in ("linear", "at_most_one", "exactly_one"):
            return None
        if kind == "linear":
            domain, variables, coeffs = c.linear.domain, list(c.linear.vars), list(c.linear.coeffs)
            if min(variables, default=0) < 0:  # a negated integer: not written by the planner's models
                return None
            if len(set(variables)) < len(variables):  # a var may repeat
                terms: dict[int, float] = {}
                for var, coef in zip(variables, coeffs):
                    terms[var] = terms.get(var, 0.0) + coef
                variables, coeffs = list(terms), list(terms.values())
            lp.constraint.add(var_index=variables, coefficient=coeffs,
                              lower_bound=domain[0] if domain[0] > -BIG else -INF,
                              upper_bound=domain[-1] if domain[-1] < BIG else INF)
        else:
            refs = c.at_most_one.literals if kind == "at_most_one" else c.exactly_one.literals
            terms, negated = {}, 0
            for ref in refs:  # CP-SAT writes ¬x as -x-1, that is 1 - x
                var, sign = (ref, 1.0) if ref >= 0 else (-ref - 1, -1.0)
                negated += ref < 0
                terms[var] = terms.get(var, 0.0) + sign
            lp.constraint.add(var_index=list(terms), coefficient=list(terms.values()),
                              lower_bound=1.0 - negated if kind == "exactly_one" else -INF,
                              upper_bound=1.0 - negated)
    lp.objective_offset = proto.objective.offset
    return lp


def _readable(model: cp_model.CpModel) -> cp_model_pb2.CpModelProto:
    """The model as a plain protobuf message: reading the C++-backed proto field by field is
    three times slower, and it has no other way out than a file."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.pb")
        model.export_to_file(path)
        with open(path, "rb") as f:
            return cp_model_pb2.CpModelProto.FromString(f.read())


def lp_values(model: cp_model.CpModel, time_limit: float = 10.0, engines: tuple[str, ...] = ("GLOP",)
              ) -> tuple[list[float], float, str] | None:
    """Optimal LP values of every variable, the LP objective (model units) and the engine
    that found them, or None.

    With several engines each runs in its own thread (the solvers release the GIL) and the
    first optimum wins; the others are interrupted where they can be (GLOP can, HiGHS cannot
    and runs on to its time limit in the background)."""
    if interrupt.requested():  # Ctrl-C: no more searching
        return None
    lp = linear_relaxation(model)
    if lp is None:
        return None
    done = threading.Event()
    lock = threading.Lock()
    results: list[tuple[list[float], float, str]] = []
    solvers: dict[str, pywraplp.Solver] = {}
    for engine in engines:
        solver = pywraplp.Solver.CreateSolver(engine)
        if solver is None or solver.LoadModelFromProto(lp):
            continue
        if ENGINE_PARAMETERS.get(engine):
            solver.SetSolverSpecificParametersAsString(ENGINE_PARAMETERS[engine])  # False for HiGHS, yet applied
        solver.SetTimeLimit(int(time_limit * 1000))
        solvers[engine] = solver
    running = len(solvers)

    def run(engine: str) -> None:
        nonlocal running
        solver = solvers[engine]
        optimal = solver.Solve() == pywraplp.Solver.OPTIMAL
        with lock:
            running -= 1
            if optimal and not results:
                results.append(([v.solution_value() for v in solver.variables()], solver.Objective().Value(), engine))
            if results or not running:
                done.set()

    def stop() -> None:  # Ctrl-C: GLOP stops, HiGHS cannot and runs on in the background
        done.set()
        for solver in solvers.values():
            solver.InterruptSolve()

    with interrupt.stoppable(stop):
        if len(solvers) == 1:
            run(next(iter(solvers)))
        elif solvers:
            for engine in solvers:
                threading.Thread(target=run, args=(engine,), daemon=True).start()
            done.wait()
            for solver in solvers.values():
                solver.InterruptSolve()
    if interrupt.requested():
        return None
    return results[0] if results else None


def rens(model: cp_model.CpModel, values: list[float], main: list, *, time_limit: float, seed: int,
         workers: int = 1, deterministic: bool = False) -> dict[int, int] | None:
    """Fix the main variables the LP sets to 0 or 1, solve what is left; variable index →
    value of the best solution, or None."""
    sub = model.clone()
    for v in main:
        x = values[v.index]
        if x <= 1e-6:
            sub.add(sub.get_int_var_from_proto_index(v.index) == 0)
        elif x >= 1 - 1e-6:
            sub.add(sub.get_int_var_from_proto_index(v.index) == 1)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1 if deterministic else workers  # as search.make_solver
    solver.parameters.random_seed = seed
    if deterministic:
        solver.parameters.max_deterministic_time = time_limit
        solver.parameters.max_time_in_seconds = clock.cap(max(60.0, 20 * time_limit))  # a guard (search.solver)
    else:
        solver.parameters.max_time_in_seconds = time_limit
    with interrupt.solving(solver):
        status = solver.solve(sub)
    clock.spent(solver)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return {i: solver.value(sub.get_int_var_from_proto_index(i)) for i in range(len(sub.proto.variables))}


__all__ = ["lp_values", "rens"]
