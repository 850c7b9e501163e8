# tests/bench/scale.gp: the charts of scenarios 5 (mesh) and 6 (rr).
# report.py runs `gnuplot -e "dir='OUT'" scale.gp` after writing
# OUT/scale_<metric>.dat: one line per host count N (mesh) or client count
# (rr): N, then Wren's median, min, max, then BIRD's ("?" when missing).
# Points are medians, error bars min-max; for RSS and CPU the samples are
# the daemons (mesh: every host; rr: both reflectors).  A panel whose
# scenario did not run says so.
if (!exists("dir")) dir = "out"
f(m) = sprintf("%s/scale_%s.dat", dir, m)
ok(m) = system(sprintf("test -s '%s' && echo 1 || echo 0", f(m))) eq "1"
none = "set label 1 'not run' at graph 0.5,0.5 center; set xrange [0:1]; set yrange [0:1]; plot -1 notitle; unset label 1; set xrange [0:*]; set yrange [0:*]"
line(m, t) = sprintf("set title '%s'; if (ok('%s')) { plot f('%s') using 1:2:3:4 with yerrorlines lt 1 title 'Wren', '' using 1:5:6:7 with yerrorlines lt 2 title 'BIRD' } else { %s }", t, m, m, none)
bars(m, t) = sprintf("set title '%s'; if (ok('%s')) { plot f('%s') using 2:3:4:xtic(1) lt 1 title 'Wren reflectors', '' using 5:6:7 lt 2 title 'BIRD reflectors' } else { %s }", t, m, m, none)

set datafile missing "?"
set terminal pngcairo size 1600,700 font ',9'
set output dir."/scale.png"
set linetype 1 lc rgb "#1b9e77" lw 2 pt 7 ps 0.8
set linetype 2 lc rgb "#d95f02" lw 2 pt 5 ps 0.8
set multiplot layout 2,4 title "Scenarios 5 and 6: Wren vs BIRD 2 (scan time 2); medians, error bars min-max"
set grid
set key top left
set xrange [0:*]
set yrange [0:*]
set offsets 0, graph 0.08, graph 0.3, 0	# room for the key above the data

set xlabel "hosts in the full mesh (N)"
eval line("mesh_add", "mesh: 10 routes/host added, until in all kernels (s)")
eval line("mesh_del", "mesh: 10 routes/host deleted, until gone everywhere (s)")
eval line("mesh_bulk", "mesh: 20,000 routes spread, until in all kernels (s)")
eval line("mesh_cpu", "mesh: idle CPU per daemon, 20,000 routes (% of a core)")
eval line("mesh_rss", "mesh: peak RSS per daemon (MiB)")

# Route reflection: grouped bars, one group per client count.
set xlabel "clients (2 reflectors; the clients are always Wren)"
set style data histogram
set style histogram errorbars gap 1 lw 1
set style fill solid 0.75 border -1
set xrange [*:*]
set offsets 0, 0, graph 0.3, 0
eval bars("rr_add", "rr: 20 routes/client added, until in every client (s)")
eval bars("rr_rss", "rr: reflectors peak RSS (MiB)")
eval bars("rr_cpu", "rr: reflectors CPU in the measured runs (s)")
unset multiplot
