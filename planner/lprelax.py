"""The LP relaxation of a CP-SAT model, solved with GLOP, and LP rounding (RENS).

The master model's LP bound is nearly tight, but CP-SAT's search takes seconds to find
plans near it. Solving the relaxation directly takes a fraction of a second; fixing the
activities the LP already decides (0 or 1) leaves a small model CP-SAT solves at once.
"""

from __future__ import annotations

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

BIG = 2**62


def lp_values(model: cp_model.CpModel, time_limit: float = 10.0, engine: str = "GLOP"
              ) -> tuple[list[float], float] | None:
    """Optimal LP values of every variable and the LP objective (model units), or None.

    Only the constraint kinds the planner's models use are read (linear, at most one,
    exactly one); anything else makes the relaxation unavailable rather than wrong."""
    proto = model.proto
    solver = pywraplp.Solver.CreateSolver(engine)
    if solver is None:
        return None
    solver.SetTimeLimit(int(time_limit * 1000))
    inf = solver.infinity()
    xs = []
    for v in proto.variables:
        domain = list(v.domain)  # the C++-backed repeated field does not index from the end
        xs.append(solver.NumVar(float(domain[0]), float(domain[-1]), ""))

    def literal(ref: int):  # CP-SAT writes ¬x as -x-1
        return (xs[ref], 1.0, 0.0) if ref >= 0 else (xs[-ref - 1], -1.0, 1.0)

    for c in proto.constraints:
        if len(c.enforcement_literal):
            return None
        if c.has_linear():
            domain = list(c.linear.domain)
            lo = float(domain[0]) if domain[0] > -BIG else -inf
            hi = float(domain[-1]) if domain[-1] < BIG else inf
            row = solver.Constraint(lo, hi)
            for var, coef in zip(c.linear.vars, c.linear.coeffs):
                if var < 0:
                    return None
                row.SetCoefficient(xs[var], row.GetCoefficient(xs[var]) + float(coef))  # a var may repeat
        elif c.has_at_most_one() or c.has_exactly_one():
            lits = list(c.at_most_one.literals if c.has_at_most_one() else c.exactly_one.literals)
            shift = sum(literal(ref)[2] for ref in lits)
            row = solver.Constraint(1.0 - shift if c.has_exactly_one() else -inf, 1.0 - shift)
            for ref in lits:
                var, sign, _ = literal(ref)
                row.SetCoefficient(var, row.GetCoefficient(var) + sign)
        else:
            return None
    objective = solver.Objective()
    for var, coef in zip(proto.objective.vars, proto.objective.coeffs):
        objective.SetCoefficient(xs[var], objective.GetCoefficient(xs[var]) + float(coef))
    objective.SetOffset(float(proto.objective.offset))
    objective.SetMinimization()
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    return [v.solution_value() for v in xs], objective.Value()


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
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    if deterministic:
        solver.parameters.max_deterministic_time = time_limit
        solver.parameters.max_time_in_seconds = 3 * time_limit + 5
    else:
        solver.parameters.max_time_in_seconds = time_limit
    status = solver.solve(sub)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return {i: solver.value(sub.get_int_var_from_proto_index(i)) for i in range(len(sub.proto.variables))}


__all__ = ["lp_values", "rens"]
