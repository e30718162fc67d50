"""OpenDP's samplers on the same configurations as Analysis/SamplerBench: discrete Gaussian
(integer input, scale sigma) and discrete Laplace (integer input, scale). Prints
`name parameter draws_per_second variance`, vectorised (one call per 200,000 draws) so that
Python's per-call overhead does not count against OpenDP."""
import sys
import time

import opendp.prelude as dp

dp.enable_features("contrib")
n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
domain = dp.vector_domain(dp.atom_domain(T=int))


def measure(name, parameter, measurement):
    measurement([0] * 1000)
    zeros = [0] * n
    best = 0.0
    for _ in range(3):
        start = time.perf_counter()
        out = measurement(zeros)
        best = max(best, n / (time.perf_counter() - start))
    mean = sum(out) / n
    variance = sum((x - mean) ** 2 for x in out) / n
    print(name, parameter, f"{best:.0f}", f"{variance:.3f}")


for sigma in (2, 10):
    measure("gaussian", sigma, dp.m.make_gaussian(domain, dp.l2_distance(T=int), scale=float(sigma)))
for scale in (1, 10):
    measure("laplace", scale, dp.m.make_laplace(domain, dp.l1_distance(T=int), scale=float(scale)))
