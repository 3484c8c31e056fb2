#!/usr/bin/env python3
"""ase_optimize.py - relaxes a configuration with ASE's FIRE optimiser on glassmd's forces
(glassmd.ase.Calculator; Debian python3-ase) and writes the result as a LAMMPS data file:

    python3 ase_optimize.py start.data na2s-sis2.ff relaxed.data [--fmax 0.5] [--steps 50]
"""
import argparse

import numpy as np
from ase import Atoms
from ase.optimize import FIRE

import glassmd
from glassmd.ase import Calculator


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("config", help="start: LAMMPS data or extended XYZ file")
    ap.add_argument("forcefield", help="glassmd force field (.ff)")
    ap.add_argument("output", help="relaxed configuration (LAMMPS data; .xyz: extended XYZ)")
    ap.add_argument("--fmax", type=float, default=0.5, help="eV/A")
    ap.add_argument("--steps", type=int, default=50)
    args = ap.parse_args()

    ff = glassmd.ForceField(args.forcefield)
    cfg = glassmd.read_config(args.config, ff)
    atoms = Atoms(symbols=cfg.species, positions=cfg.positions - cfg.origin,
                  cell=np.diag(cfg.box), pbc=True)
    atoms.calc = Calculator(forcefield=ff, kspace="pppm", threebody="on")
    e0 = atoms.get_potential_energy()
    FIRE(atoms, logfile=None).run(fmax=args.fmax, steps=args.steps)
    e1 = atoms.get_potential_energy()
    fmax = np.max(np.linalg.norm(atoms.get_forces(), axis=1))
    glassmd.write_config(args.output, ff, cfg.box, atoms.get_chemical_symbols(),
                         atoms.positions)
    print("energy %.4f -> %.4f eV, largest force %.3f eV/A; written %s" %
          (e0, e1, fmax, args.output))


if __name__ == "__main__":
    main()
