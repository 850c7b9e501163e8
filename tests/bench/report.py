#!/usr/bin/env python3
"""tests/bench/report.py OUTDIR [CAP]: the table and the charts of a bench run.

Reads OUTDIR/results.tsv (scenario, daemon, run, value, unit; value "inf"
when a run did not converge within CAP seconds) and
OUTDIR/latency_samples.tsv (daemon, run, milliseconds).  Prints the table,
writes OUTDIR/summary.tsv, and draws OUTDIR/bench.png and
OUTDIR/latency_cdf.png with gnuplot (skipped, with a note, without it).
"""
import math
import os
import shutil
import statistics
import subprocess
import sys

OUT = sys.argv[1]
CAP = float(sys.argv[2]) if len(sys.argv) > 2 else 120.0

# metric, label, unit, better
METRICS = [
    ("burst_add", "burst: add, until all in B", "s", "lower"),
    ("burst_add_lag", "  of which after A's kernel had all", "s", "lower"),
    ("burst_del", "burst: delete, until all gone from B", "s", "lower"),
    ("burst_del_lag", "  of which after A's kernel had all", "s", "lower"),
    ("latency_p50", "single route: p50", "ms", "lower"),
    ("latency_p99", "single route: p99", "ms", "lower"),
    ("ingest_time", "ingest: until the sink has all", "s", "lower"),
    ("ingest_rate", "ingest rate", "paths/s", "higher"),
    ("ingest_cpu", "ingest: router CPU time", "s", "lower"),
    ("ingest_bpp", "ingest: RSS growth per path", "B/path", "lower"),
    ("install_rate", "install rate at B (IPv4)", "routes/s", "higher"),
    ("install6_rate", "install rate at B (IPv6)", "routes/s", "higher"),
    ("rss_pair_a", "peak RSS, A (burst+latency)", "MiB", "lower"),
    ("rss_pair_b", "peak RSS, B (burst+latency)", "MiB", "lower"),
    ("rss_ingest_r", "peak RSS, router (ingest)", "MiB", "lower"),
    ("rss_install_b", "peak RSS, B (install IPv4)", "MiB", "lower"),
    ("rss_install6_b", "peak RSS, B (install IPv6)", "MiB", "lower"),
]
DAEMONS = [("wren", "Wren"), ("bird", "BIRD scan 2"),
           ("bird60", "BIRD scan 60 (default)"), ("ipbatch", "ip -batch"),
           ("raw", "raw netlink")]
CHART_TITLE = {
    "burst_add_lag": "burst add: B's lag behind A's kernel",
    "burst_del_lag": "burst delete: B's lag behind A's kernel",
}
COLOR = {"wren": 1, "bird": 2, "bird60": 3, "ipbatch": 4, "raw": 5}


def load():
    data = {}
    units = {}
    with open(os.path.join(OUT, "results.tsv")) as f:
        for line in f:
            scen, daemon, _run, value, unit = line.rstrip("\n").split("\t")
            data.setdefault((scen, daemon), []).append(float(value))
            units[scen] = unit
    return data, units


def stats(vals):
    """median, min, max; inf (did not converge) sorts last."""
    if not vals:
        return None
    s = sorted(vals)
    n = len(s)
    med = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
    return med, s[0], s[-1]


def num(v, unit):
    if v == math.inf:
        return "> %gs" % CAP
    if unit in ("routes/s", "paths/s"):
        return "%.0f" % v
    if v >= 100:
        return "%.0f" % v
    if v >= 10:
        return "%.1f" % v
    return "%.3g" % v


def cell(st, unit):
    if st is None:
        return "-"
    med, lo, hi = st
    return "%s (%s-%s)" % (num(med, unit), num(lo, unit), num(hi, unit))


def ratio(b, w):
    if b is None or w is None:
        return "-"
    if w[0] == 0 or w[0] == math.inf:
        return "?"
    if b[0] == math.inf:
        return "> %.0f" % (CAP / w[0])
    return "%.2f" % (b[0] / w[0])


def table(data):
    head = ["scenario", "unit", "Wren median (min-max)", "BIRD scan 2 (min-max)",
            "BIRD/Wren", "BIRD default scan (min-max)", "BIRD60/Wren", "better"]
    rows = []
    summary = []
    for key, label, unit, better in METRICS:
        w = stats(data.get((key, "wren"), []))
        b = stats(data.get((key, "bird"), []))
        b60 = stats(data.get((key, "bird60"), []))
        if w is None and b is None and b60 is None:
            continue
        if key.endswith("_lag") and w and w[0] < 0.01:
            # Wren's lag is at the monitors' resolution: no ratio.
            r1 = "-" if b is None else "n/a"
            r2 = "-" if b60 is None else "n/a"
        else:
            r1, r2 = ratio(b, w), ratio(b60, w)
        rows.append([label, unit, cell(w, unit), cell(b, unit), r1,
                     cell(b60, unit), r2, better])
        for d, st in (("wren", w), ("bird", b), ("bird60", b60)):
            if st:
                summary.append([key, d, unit] + ["%g" % x for x in st])
    for key in ("install_rate", "install6_rate"):
        for ref in ("ipbatch", "raw"):
            st = stats(data.get((key, ref), []))
            if st:
                summary.append([key, ref, "routes/s"] +
                               ["%g" % x for x in st])
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    lines = ["  ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip()
             for r in [head] + rows]
    lines.insert(1, "  ".join("-" * x for x in widths))
    print("\n".join(lines))
    first = True
    for key, fam in (("install_rate", "IPv4"), ("install6_rate", "IPv6")):
        w = stats(data.get((key, "wren"), []))
        for ref, how in (("ipbatch", "ip -batch"),
                         ("raw", "raw netlink, batched, no acks")):
            st = stats(data.get((key, ref), []))
            if not st:
                continue
            if first:
                print()
                first = False
            print("kernel reference (%s), %s of the same routes in a fresh "
                  "namespace: %s routes/s" % (fam, how, cell(st, "routes/s")),
                  end="")
            if w and st[0] > 0:
                print("; Wren's median is %.0f%% of it" %
                      (100 * w[0] / st[0]), end="")
            print()
    wa = stats(data.get(("rss_install_a", "wren_sender"), []))
    if wa:
        print("peak RSS of the sending wrend (install, A): %s MiB" %
              cell(wa, "MiB"))
    with open(os.path.join(OUT, "summary.tsv"), "w") as f:
        f.write("metric\tdaemon\tunit\tmedian\tmin\tmax\n")
        for r in summary:
            f.write("\t".join(r) + "\n")


def bars(data):
    """One panel per metric: median bars with min-max error bars."""
    panels = []
    for key, label, unit, _better in METRICS:
        rows = []
        for d, name in DAEMONS:
            st = stats(data.get((key, d), []))
            if st is None:
                continue
            med, lo, hi = (CAP if x == math.inf else x for x in st)
            rows.append((name, med, lo, hi, COLOR[d], st[0] == math.inf))
        if not rows:
            continue
        path = os.path.join(OUT, "bars_%s.dat" % key)
        with open(path, "w") as f:
            for i, (name, med, lo, hi, c, capped) in enumerate(rows):
                f.write('%d "%s" %g %g %g %d "%s"\n' % (
                    i, name, med, lo, hi, c,
                    ("> %gs" % CAP) if capped else num(med, unit)))
        logy = unit in ("s", "ms") and max(r[3] for r in rows) > \
            20 * max(min(r[1] for r in rows), 1e-9)
        title = CHART_TITLE.get(key, label)
        panels.append((path, "%s (%s)" % (title, unit), logy, len(rows)))
    return panels


def cdf():
    path = os.path.join(OUT, "latency_samples.tsv")
    by = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                d, _run, v = line.split()
                by.setdefault(d, []).append(float(v))
    files = []
    for d, name in DAEMONS:
        vals = sorted(by.get(d, []))
        if not vals:
            continue
        p = os.path.join(OUT, "cdf_%s.dat" % d)
        with open(p, "w") as f:
            n = len(vals)
            for i, v in enumerate(vals):
                if v != math.inf:
                    f.write("%g %g\n" % (max(v, 0.01), (i + 1) / n))
        files.append((p, name, COLOR[d]))
    return files


def gnuplot(panels, cdfs):
    gp = shutil.which("gnuplot")
    if gp is None:
        print("(no gnuplot: charts not drawn; apt-get install gnuplot-nox)")
        return
    colors = """
set linetype 1 lc rgb "#1b9e77" lw 2
set linetype 2 lc rgb "#d95f02" lw 2
set linetype 3 lc rgb "#7570b3" lw 2
set linetype 4 lc rgb "#888888" lw 2
set linetype 5 lc rgb "#444444" lw 2
"""
    s = ["set terminal pngcairo size 1500,%d font ',9'" %
         (330 * ((len(panels) + 2) // 3)),
         "set output '%s'" % os.path.join(OUT, "bench.png"), colors,
         "set multiplot layout %d,3 title 'Wren vs BIRD 2: medians, "
         "error bars min-max'" % ((len(panels) + 2) // 3),
         "set style fill solid 0.75 border -1", "set boxwidth 0.6",
         "set grid ytics", "unset key", "set xtics scale 0"]
    for path, title, logy, n in panels:
        s.append("set title \"%s\"" % title)
        s.append("set xrange [-0.6:%g]" % (n - 0.4))
        s.append("set logscale y" if logy else "unset logscale y")
        s.append("set yrange [*:*]" if logy else "set yrange [0:*]")
        s.append("plot '%s' using 1:3:(0.6):6:xtic(2) with boxes lc variable, "
                 "'' using 1:3:4:5 with yerrorbars lc rgb 'black' pt 0, "
                 "'' using 1:3:7 with labels offset 0,0.8 font ',8'" % path)
    s.append("unset multiplot")
    if cdfs:
        s += ["set terminal pngcairo size 900,550 font ',10'",
              "set output '%s'" % os.path.join(OUT, "latency_cdf.png"),
              "set title 'Single-route latency, A add -> B kernel (all runs)'",
              "set xlabel 'milliseconds (log)'",
              "set ylabel 'fraction of routes'", "set logscale x",
              "unset logscale y", "set yrange [0:1.02]", "set xrange [*:*]",
              "set key bottom right", "set grid", "set xtics auto"]
        s.append("plot " + ", ".join(
            "'%s' using 1:2 with steps lt %d title '%s'" % (p, c, n)
            for p, n, c in cdfs))
    script = os.path.join(OUT, "charts.gp")
    with open(script, "w") as f:
        f.write("\n".join(s) + "\n")
    r = subprocess.run([gp, script], capture_output=True, text=True)
    if r.returncode != 0:
        print("(gnuplot failed: %s)" % r.stderr.strip()[:300])
    else:
        print("charts: %s, %s" % (os.path.join(OUT, "bench.png"),
                                  os.path.join(OUT, "latency_cdf.png")))


def scale_metrics():
    """Rows of scenarios 5 and 6 (scale.sh writes their labels)."""
    path = os.path.join(OUT, "scale_metrics.tsv")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [tuple(line.rstrip("\n").split("\t")) for line in f]


def scale_charts(data, rows):
    """scale.png: scale.gp over one file per metric, N (or clients) by
    Wren's and BIRD's median, min, max ("?" when missing)."""
    gp = shutil.which("gnuplot")
    if not rows or gp is None:
        return
    fam = {}
    for key, _label, _unit, _better in rows:
        name, n = key.rsplit("_", 1)
        fam.setdefault(name, []).append(n)
    for name, ns in fam.items():
        lines = []
        for n in sorted(ns, key=lambda x: int(x[1:])):
            cols = []
            for d in ("wren", "bird"):
                st = stats(data.get(("%s_%s" % (name, n), d), []))
                cols += ["?"] * 3 if st is None else \
                    ["%g" % (CAP if x == math.inf else x) for x in st]
            if cols.count("?") < len(cols):
                lines.append("%s %s\n" % (n[1:], " ".join(cols)))
        with open(os.path.join(OUT, "scale_%s.dat" % name), "w") as f:
            f.write("".join(lines))  # empty: the panel says "not run"
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scale.gp")
    r = subprocess.run([gp, "-e", "dir='%s'" % OUT, src],
                       capture_output=True, text=True)
    if r.returncode != 0:
        print("(gnuplot scale.gp failed: %s)" % r.stderr.strip()[:300])
    else:
        print("charts: %s" % os.path.join(OUT, "scale.png"))


def main():
    data, _units = load()
    scale = scale_metrics()
    METRICS.extend(scale)
    table(data)
    del METRICS[len(METRICS) - len(scale):]  # in scale.png, not bench.png
    panels, cdfs = bars(data), cdf()
    if panels or cdfs:
        gnuplot(panels, cdfs)
    scale_charts(data, scale)


main()
