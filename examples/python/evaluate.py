#!/usr/bin/env python3
"""evaluate.py - the energy, forces and pressure of a configuration with the glassmd
Python package (as `glassmd eval`):

    PYTHONPATH=P/lib/python3/dist-packages python3 evaluate.py start.data na2s-sis2.ff \
        [--kspace ewald|pppm|none] [--threebody on|off|smooth|hard]
"""
import argparse

import numpy as np

import glassmd


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("config")
    ap.add_argument("forcefield")
    ap.add_argument("--kspace")
    ap.add_argument("--threebody")
    args = ap.parse_args()

    ff = glassmd.ForceField(args.forcefield)
    cfg = glassmd.read_config(args.config, ff)
    model = glassmd.Model(ff, cfg.box, cfg.species, origin=cfg.origin, kspace=args.kspace,
                          threebody=args.threebody)
    energy, forces, virial = model.compute(cfg.positions)
    print("%d atoms, box %s A, k-space %s" % (len(cfg.species), cfg.box, model.kspace["method"]))
    for name, value in energy.items():
        print("  %-14s %16.6f eV" % (name, value))
    pressure = model.pressure_virial(virial)
    print("  pressure (virial) %.1f bar" % np.mean(pressure[:3]))
    worst = np.argmax(np.linalg.norm(forces, axis=1))
    print("  largest force %.4f eV/A on atom id %d (%s)" %
          (np.linalg.norm(forces[worst]), cfg.ids[worst], cfg.species[worst]))


if __name__ == "__main__":
    main()
