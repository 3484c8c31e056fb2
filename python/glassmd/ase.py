"""ase.py - an ASE calculator on glassmd's forces, so that ASE's optimisers and integrators
run on the library's model (Debian python3-ase):

    from glassmd.ase import Calculator
    atoms.calc = Calculator(forcefield="na2s-sis2.ff", kspace="pppm", threebody="off")

The settings are the words of run inputs (docs/run-input.md): kspace ewald|pppm|none,
accuracy, cutoff (A), threebody on|off|smooth|hard; None keeps the force field's. The
chemical symbols must be the force field's species names; the cell must be orthorhombic
and periodic in all three directions. Properties: energy (= free_energy), forces, stress
(the virial part, -W/V in eV/A^3, ASE's Voigt order xx yy zz yz xz xy) and the energy
parts in calc.results["parts"]. The model is rebuilt when the atoms' species, number or
cell change; between such changes its neighbour list is reused as in an MD run."""

import numpy as np
from ase.calculators.calculator import Calculator as _AseCalculator
from ase.calculators.calculator import all_changes

from . import ForceField, Model


class Calculator(_AseCalculator):
    implemented_properties = ["energy", "free_energy", "forces", "stress"]
    default_parameters = {"forcefield": None, "kspace": None, "accuracy": None,
                          "cutoff": None, "threebody": None, "threads": None}

    def __init__(self, forcefield, kspace=None, accuracy=None, cutoff=None, threebody=None,
                 threads=None, **kwargs):
        super().__init__(forcefield=str(forcefield), kspace=kspace, accuracy=accuracy,
                         cutoff=cutoff, threebody=threebody, threads=threads, **kwargs)
        self.forcefield = forcefield if isinstance(forcefield, ForceField) \
            else ForceField(forcefield)
        self.model = None
        self._model_key = None

    def _model_for(self, atoms):
        cell = np.asarray(atoms.cell[:], dtype=float)
        if not np.all(atoms.pbc):
            raise ValueError("glassmd: the atoms must be periodic in x, y and z")
        if np.any(np.abs(cell - np.diag(np.diag(cell))) > 1e-12 * np.abs(cell).max()):
            raise ValueError("glassmd: the cell must be orthorhombic (a diagonal cell matrix)")
        box = np.diag(cell).copy()
        key = (tuple(atoms.numbers), tuple(box))
        if self.model is None or key != self._model_key:
            p = self.parameters
            self.model = Model(self.forcefield, box, atoms.get_chemical_symbols(),
                               kspace=p.kspace, accuracy=p.accuracy, cutoff=p.cutoff,
                               threebody=p.threebody, threads=p.threads)
            self._model_key = key
        return self.model

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        model = self._model_for(self.atoms)
        energy, forces, virial = model.compute(self.atoms.positions)
        volume = float(np.prod(model.box))
        xx, yy, zz, xy, xz, yz = virial
        self.results = {
            "energy": energy["pe"],
            "free_energy": energy["pe"],
            "forces": forces,
            "stress": -np.array([xx, yy, zz, yz, xz, xy]) / volume,
            "parts": energy,
        }
