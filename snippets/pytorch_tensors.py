"""Tensors: creating them, their shape, dtype and device, broadcasting, and sharing memory with NumPy.

Run: python snippets/pytorch_tensors.py
"""
import numpy as np
import torch

# --8<-- [start:create]
a = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])   # from nested lists
counts = torch.arange(6)                                # 0, 1, ..., 5
zeros64 = torch.zeros(2, 3, dtype=torch.float64)       # choose the dtype explicitly
print("a:", a.shape, a.dtype, a.device)                 # torch.Size([2, 3]) torch.float32 cpu
print("counts:", counts.shape, counts.dtype)            # integers default to int64
print("a reshaped to 3x2:", a.reshape(3, 2).tolist())
print("a @ a.T =", (a @ a.T).tolist())                  # matrix product, (2, 3) @ (3, 2) -> (2, 2)
print("a + zeros64:", (a + zeros64).dtype)              # float32 with float64 -> float64
device = "cuda" if torch.cuda.is_available() else "cpu"
print("moved to:", a.to(device).device)                 # a GPU if there is one
# --8<-- [end:create]

# --8<-- [start:broadcast]
column = torch.tensor([[10.0], [20.0]])                 # shape (2, 1)
row = torch.tensor([1.0, 2.0, 3.0])                     # shape (3,)
print("a + row:", (a + row).shape)                      # (2, 3) + (3,)   -> (2, 3)
print("column + row:", (column + row).shape)            # (2, 1) + (3,)   -> (2, 3)
print("column + row =", (column + row).tolist())
try:
    a + torch.ones(2)                                   # (2, 3) + (2,): 3 against 2, neither is 1
except RuntimeError as error:
    print("a + ones(2) fails:", str(error).splitlines()[0])
# --8<-- [end:broadcast]

# --8<-- [start:numpy]
shared = torch.zeros(3)
view = shared.numpy()            # no copy: the array and the tensor use the same memory
shared[0] = 7.0
print("numpy view sees the change:", view.tolist())
array = np.ones(3)
from_array = torch.from_numpy(array)                    # also shares memory, keeps float64
copied = torch.tensor(array)                            # torch.tensor always copies
array[1] = 5.0
print("from_numpy:", from_array.tolist(), from_array.dtype, " torch.tensor:", copied.tolist())
# --8<-- [end:numpy]
