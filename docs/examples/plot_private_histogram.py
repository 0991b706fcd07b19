"""
Releasing a histogram with the discrete Laplace mechanism
=========================================================

A histogram of counts changes by at most one in one bin when one person is
added or removed (L1 sensitivity 1), so adding discrete Laplace (two-sided
geometric) noise with ``alpha = exp(-epsilon)`` to every bin releases it with
ε-differential privacy. A :class:`~statkit.privacy.PrivacyAccountant` refuses a
release that would overspend the budget, before any noise is drawn.
"""

import matplotlib.pyplot as plt
import numpy as np

from statkit.privacy import GeometricMechanism, PrivacyAccountant, PrivacyBudgetError

rng = np.random.default_rng(0)
ages = rng.normal(60, 10, size=500)
edges = np.arange(20, 101, 5)  # public bin edges, fixed before looking at the data
counts, _ = np.histogram(ages, bins=edges)

accountant = PrivacyAccountant(epsilon=1.0)
noisy = {}
for epsilon in (0.1, 0.5):
    mechanism = GeometricMechanism(epsilon=epsilon)
    noisy[epsilon] = mechanism.randomise(counts, rng, accountant=accountant, label=f"ε={epsilon}")
print(f"spent {accountant.spent:.2f} of 1.0, {accountant.remaining:.2f} left")

# %%
# A third release at ε = 0.5 would bring the total to 1.1: it is refused.
try:
    GeometricMechanism(epsilon=0.5).randomise(counts, rng, accountant=accountant)
except PrivacyBudgetError as error:
    print(error)

# %%
# The noisy counts scatter around the true ones; smaller ε means more noise.
centres = (edges[:-1] + edges[1:]) / 2
fig, ax = plt.subplots()
ax.step(centres, counts, where="mid", color="black", label="true counts")
for epsilon, values in noisy.items():
    ax.plot(centres, values, "o", label=f"noisy, ε = {epsilon}")
ax.set_xlabel("age")
ax.set_ylabel("count")
ax.legend()
plt.show()
