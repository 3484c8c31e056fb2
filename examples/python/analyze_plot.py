#!/usr/bin/env python3
"""analyze_plot.py - analyses a trajectory with the glassmd Python package and plots the
partial g(r) and the mean-square displacements with matplotlib (Debian
python3-matplotlib, Agg backend: no display needed):

    python3 analyze_plot.py traj.dump na2s-sis2.ff plots.png [--dt 1]
"""
import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import glassmd  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trajectory")
    ap.add_argument("forcefield")
    ap.add_argument("png")
    ap.add_argument("--dt", type=float, default=1.0, help="MD time step in fs (dump files)")
    args = ap.parse_args()

    res = glassmd.analyze(args.trajectory, ff=args.forcefield, dt=args.dt, only="rdf,msd")
    rdf, msd = res["curves"]["rdf"], res["curves"]["msd"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    r = rdf["r_A"]
    for column, g in rdf.items():
        if column.startswith("g_") and column not in ("g_N", "g_X"):  # partials only
            ax1.plot(r, g, label=column[2:])
    ax1.set_xlabel("r (A)")
    ax1.set_ylabel("g(r)")
    ax1.legend()
    t = msd["time_ps"]
    for column, values in msd.items():
        if column.startswith("msd_"):  # msd_Na_A2, ...
            ax2.plot(t, values, label=column.split("_")[1])
    ax2.set_xlabel("t (ps)")
    ax2.set_ylabel("MSD (A^2)")
    ax2.legend()
    fig.tight_layout()
    fig.savefig(args.png, dpi=80)
    print("%d frames; g(r) and MSD in %s" % (res["frames"], args.png))


if __name__ == "__main__":
    main()
