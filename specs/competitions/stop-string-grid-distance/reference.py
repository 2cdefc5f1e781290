"""Reference solution: the exact distance, as a cheapest matching of misplaced letters."""

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

test = pd.read_csv("data/test.csv", dtype={"id": str, "start": str, "goal": str})
distances = []
for side, start, goal in zip(test["side"], test["start"], test["goal"], strict=False):
    leaving = [i for i, (a, b) in enumerate(zip(start, goal, strict=False)) if a == "A" and b == "B"]
    arriving = [i for i, (a, b) in enumerate(zip(start, goal, strict=False)) if a == "B" and b == "A"]
    cost = np.array([[abs(i // side - j // side) + abs(i % side - j % side) for j in arriving] for i in leaving])
    rows, columns = linear_sum_assignment(cost.reshape(len(leaving), len(arriving)))
    distances.append(int(cost[rows, columns].sum()) if leaving else 0)
pd.DataFrame({"id": test["id"], "distance": distances}).to_csv("submission.csv", index=False)
