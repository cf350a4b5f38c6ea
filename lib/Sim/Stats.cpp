//===- Stats.cpp - Energy model and the simulator's reports ---------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Prices event counts with the target's energy table and presents the
// figures as a text report, as JSON (every figure) and as a Chrome
// trace-event file (one track per engine).
//
//===----------------------------------------------------------------------===//

#include "mote/Sim/Stats.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace mote;
using namespace mote::sim;
namespace json = llvm::json;

void Events::add(const Events &o) {
  instructions += o.instructions;
  digitMacs += o.digitMacs;
  for (unsigned a = 0; a < 2; ++a)
    for (unsigned w = 0; w < 2; ++w)
      digitMacsBySign[a][w] += o.digitMacsBySign[a][w];
  accumulatorUpdates += o.accumulatorUpdates;
  for (unsigned b = 0; b < kNumSramBuffers; ++b) {
    sramReadBytes[b] += o.sramReadBytes[b];
    sramWriteBytes[b] += o.sramWriteBytes[b];
  }
  dramReadBytes += o.dramReadBytes;
  dramWriteBytes += o.dramWriteBytes;
  for (unsigned v = 0; v < kNumVectorOps; ++v)
    vectorOps[v] += o.vectorOps[v];
  lutLookups += o.lutLookups;
}

double EnergyBreakdown::dynamicPJ() const {
  double sum = macPJ + accumulatorPJ + dramPJ;
  for (double v : sramPJ)
    sum += v;
  for (double v : vectorPJ)
    sum += v;
  return sum;
}

EnergyBreakdown sim::computeEnergy(const Events &ev, uint64_t cycles,
                                   const TargetDescription &t) {
  EnergyBreakdown e;
  e.macPJ = double(ev.digitMacs) * t.energy.digitMacPJ;
  e.accumulatorPJ = double(ev.accumulatorUpdates) *
                    (t.energy.accumulatorAddPJ + t.energy.accumulatorRegisterPJ);
  for (unsigned b = 0; b < kNumSramBuffers; ++b)
    e.sramPJ[b] =
        double(ev.sramReadBytes[b]) * t.sramEnergyPerBytePJ(SramBuffer(b)) +
        double(ev.sramWriteBytes[b]) *
            t.sramEnergyPerBytePJ(SramBuffer(b), /*write=*/true);
  e.dramPJ = double(ev.dramReadBytes) * t.dramEnergyPerBytePJ() +
             double(ev.dramWriteBytes) * t.dramEnergyPerBytePJ(true);
  for (unsigned v = 0; v < kNumVectorOps; ++v)
    e.vectorPJ[v] = double(ev.vectorOps[v]) * t.vectorOpEnergyPJ(VectorOp(v));
  // mW x us = nJ = 1000 pJ; cycles / MHz = us.
  if (t.clockMHz > 0)
    e.staticPJ = t.energy.staticPowerMW * (double(cycles) / t.clockMHz) * 1e3;
  return e;
}

double SegmentStats::averagePowerMW(double clockMHz) const {
  double us = micros(clockMHz);
  // pJ / us = uW.
  return us > 0 ? energy.totalPJ() / us * 1e-3 : 0;
}

double SegmentStats::utilisation(const TargetDescription &t) const {
  double peak = double(cycles) * double(t.peakDigitMacsPerCycle());
  return peak > 0 ? double(events.digitMacs) / peak : 0;
}

double SegmentStats::rooflineRatio() const {
  return rooflineCycles ? double(cycles) / double(rooflineCycles) : 0;
}

//===----------------------------------------------------------------------===//
// Text report
//===----------------------------------------------------------------------===//

/// MACs of the whole model: the chip's layers and the host's ops.
static uint64_t modelMacs(const Stats &s) { return s.total.macs + s.host.macs; }

/// The host segments: where each runs, its ops and MACs, the boundary
/// traffic; every figure above it is the chip's alone.
static void printHostReport(const Stats &s, llvm::raw_ostream &os) {
  const HostStats &h = s.host;
  if (h.segments.empty())
    return;
  uint64_t all = modelMacs(s);
  os << llvm::format("\nhost segments: %zu, %zu ops, %llu MACs (%.2f%% of "
                     "the model's %llu), boundary DRAM traffic %llu bytes "
                     "(%.3f uJ at the DRAM rate)\n",
                     h.segments.size(), h.numOps(), (unsigned long long)h.macs,
                     all ? 100.0 * double(h.macs) / double(all) : 0.0,
                     (unsigned long long)all,
                     (unsigned long long)h.boundaryBytes,
                     h.boundaryPJ * 1e-6);
  os << "  (run by the host with the reference interpreter's kernels; the "
        "latency and energy above are the chip's only)\n";
  for (const HostSegmentStats &seg : h.segments) {
    std::string after =
        seg.afterLayer >= 0 && size_t(seg.afterLayer) < s.layers.size()
            ? "after layer '" + s.layers[seg.afterLayer].name + "'"
            : std::string("before the first layer");
    os << llvm::format("  segment %u (instruction %llu, cycle %llu) ",
                       seg.index, (unsigned long long)seg.instruction,
                       (unsigned long long)seg.cycle)
       << after
       << llvm::format(": %llu MACs, reads %llu, writes %llu DRAM bytes\n",
                       (unsigned long long)seg.macs,
                       (unsigned long long)seg.readBytes,
                       (unsigned long long)seg.writeBytes);
    for (const isa::HostOp &op : seg.ops)
      os << "    " << llvm::left_justify(op.kind, 18) << " "
         << llvm::format("%12llu MACs  ", (unsigned long long)op.macs)
         << op.name << "\n";
  }
}

static json::Value hostJSON(const Stats &s) {
  const HostStats &h = s.host;
  json::Array segments;
  for (const HostSegmentStats &seg : h.segments) {
    json::Array ops;
    for (const isa::HostOp &op : seg.ops)
      ops.push_back(json::Object{
          {"name", op.name}, {"kind", op.kind}, {"macs", int64_t(op.macs)}});
    segments.push_back(json::Object{
        {"index", int64_t(seg.index)},
        {"instruction", int64_t(seg.instruction)},
        {"cycle", int64_t(seg.cycle)},
        {"after_layer", seg.afterLayer >= 0 &&
                                size_t(seg.afterLayer) < s.layers.size()
                            ? json::Value(s.layers[seg.afterLayer].name)
                            : json::Value(nullptr)},
        {"macs", int64_t(seg.macs)},
        {"dram_read_bytes", int64_t(seg.readBytes)},
        {"dram_write_bytes", int64_t(seg.writeBytes)},
        {"ops", std::move(ops)}});
  }
  uint64_t all = modelMacs(s);
  return json::Object{
      {"segments", std::move(segments)},
      {"ops", int64_t(h.numOps())},
      {"macs", int64_t(h.macs)},
      {"model_macs", int64_t(all)},
      {"mac_share", all ? double(h.macs) / double(all) : 0.0},
      {"boundary_dram_bytes", int64_t(h.boundaryBytes)},
      {"boundary_energy_uj", h.boundaryPJ * 1e-6},
      {"note", "host segments run on the host; latency and energy in "
               "'total' and 'layers' are the chip's only"}};
}

void sim::printReport(const Stats &s, const TargetDescription &t,
                      llvm::raw_ostream &os) {
  double mhz = s.clockMHz;
  os << "target " << s.targetName << ": " << s.macRows << "x" << s.macCols
     << " MAC array of " << s.digitBits << "-bit digits at "
     << llvm::format("%g", mhz) << " MHz\n";
  size_t nameWidth = 5;
  for (const SegmentStats &l : s.layers)
    nameWidth = std::max(nameWidth, std::min<size_t>(l.name.size(), 40));
  auto row = [&](const SegmentStats &l) {
    std::string name = l.name.size() > 40 ? l.name.substr(0, 37) + "..."
                                          : l.name;
    os << llvm::left_justify(name, nameWidth) << "  "
       << llvm::left_justify(l.kind, 16)
       << llvm::format("%12llu %11.2f %6.1f%% ", (unsigned long long)l.cycles,
                       l.micros(mhz), 100.0 * l.utilisation(t));
    if (l.rooflineCycles)
      os << llvm::format("%9.2f", l.rooflineRatio());
    else
      os << llvm::format("%9s", "-");
    os << llvm::format(" %11.3f\n", l.energyUJ());
  };
  os << llvm::left_justify("layer", nameWidth) << "  "
     << llvm::left_justify("kind", 16)
     << llvm::format("%12s %11s %7s %9s %11s\n", "cycles", "us", "util",
                     "/roofline", "energy uJ");
  for (const SegmentStats &l : s.layers)
    row(l);
  row(s.total);

  const SegmentStats &tot = s.total;
  const Events &ev = tot.events;
  os << llvm::format("\nlatency %llu cycles = %.3f us; energy %.3f uJ per "
                     "inference; average power %.3f mW\n",
                     (unsigned long long)tot.cycles, tot.micros(mhz),
                     tot.energyUJ(), tot.averagePowerMW(mhz));
  os << llvm::format("MAC-array utilisation %.1f%%; %llu digit-MACs, %llu "
                     "instructions\n",
                     100.0 * tot.utilisation(t),
                     (unsigned long long)ev.digitMacs,
                     (unsigned long long)ev.instructions);
  os << llvm::format("DRAM %llu bytes read, %llu bytes written\n",
                     (unsigned long long)ev.dramReadBytes,
                     (unsigned long long)ev.dramWriteBytes);
  if (s.hasProgramLoad) {
    const SegmentStats &pl = s.programLoad;
    os << llvm::format(
        "program load (once, not per inference: resident weights): %llu "
        "cycles = %.3f us, %.3f uJ, DRAM %llu bytes read\n",
        (unsigned long long)pl.cycles, pl.micros(mhz), pl.energyUJ(),
        (unsigned long long)pl.events.dramReadBytes);
  }
  const char *engines[3] = {"load", "execute", "store"};
  os << "engine busy cycles:";
  for (unsigned e = 0; e < 3; ++e)
    os << " " << engines[e] << " " << tot.busyCycles[e];
  os << "\n\nenergy breakdown (uJ):\n";
  const EnergyBreakdown &en = tot.energy;
  double total = en.totalPJ();
  auto line = [&](llvm::StringRef name, double pj) {
    os << "  " << llvm::left_justify(name, 22)
       << llvm::format("%11.4f  %5.1f%%\n", pj * 1e-6,
                       total > 0 ? 100.0 * pj / total : 0.0);
  };
  line("digit MACs", en.macPJ);
  line("array accumulators", en.accumulatorPJ);
  for (unsigned b = 0; b < kNumSramBuffers; ++b)
    line(sramBufferName(SramBuffer(b)), en.sramPJ[b]);
  line("DRAM", en.dramPJ);
  for (unsigned v = 0; v < kNumVectorOps; ++v)
    line(("vector " + vectorOpName(VectorOp(v))).str(), en.vectorPJ[v]);
  line("static", en.staticPJ);
  printHostReport(s, os);
}

//===----------------------------------------------------------------------===//
// JSON
//===----------------------------------------------------------------------===//

static json::Value eventsJSON(const Events &ev) {
  json::Object sram;
  for (unsigned b = 0; b < kNumSramBuffers; ++b)
    sram[sramBufferName(SramBuffer(b))] =
        json::Object{{"read_bytes", int64_t(ev.sramReadBytes[b])},
                     {"write_bytes", int64_t(ev.sramWriteBytes[b])}};
  json::Object vec;
  for (unsigned v = 0; v < kNumVectorOps; ++v)
    vec[vectorOpName(VectorOp(v))] = int64_t(ev.vectorOps[v]);
  return json::Object{
      {"instructions", int64_t(ev.instructions)},
      {"digit_macs", int64_t(ev.digitMacs)},
      {"digit_macs_by_sign",
       json::Object{{"a_unsigned_w_unsigned", int64_t(ev.digitMacsBySign[0][0])},
                    {"a_unsigned_w_signed", int64_t(ev.digitMacsBySign[0][1])},
                    {"a_signed_w_unsigned", int64_t(ev.digitMacsBySign[1][0])},
                    {"a_signed_w_signed", int64_t(ev.digitMacsBySign[1][1])}}},
      {"accumulator_updates", int64_t(ev.accumulatorUpdates)},
      {"sram", std::move(sram)},
      {"dram_read_bytes", int64_t(ev.dramReadBytes)},
      {"dram_write_bytes", int64_t(ev.dramWriteBytes)},
      {"vector_ops", std::move(vec)},
      {"lut_lookups", int64_t(ev.lutLookups)},
  };
}

static json::Value energyJSON(const EnergyBreakdown &e) {
  json::Object sram, vec;
  for (unsigned b = 0; b < kNumSramBuffers; ++b)
    sram[sramBufferName(SramBuffer(b))] = e.sramPJ[b];
  for (unsigned v = 0; v < kNumVectorOps; ++v)
    vec[vectorOpName(VectorOp(v))] = e.vectorPJ[v];
  return json::Object{{"mac_pj", e.macPJ},
                      {"accumulator_pj", e.accumulatorPJ},
                      {"sram_pj", std::move(sram)},
                      {"dram_pj", e.dramPJ},
                      {"vector_pj", std::move(vec)},
                      {"static_pj", e.staticPJ},
                      {"dynamic_pj", e.dynamicPJ()},
                      {"total_pj", e.totalPJ()}};
}

static json::Value segmentJSON(const SegmentStats &l, const Stats &s,
                               const TargetDescription &t) {
  return json::Object{
      {"name", l.name},
      {"kind", l.kind},
      {"first_instruction", int64_t(l.firstInstruction)},
      {"num_instructions", int64_t(l.numInstructions)},
      {"start_cycle", int64_t(l.startCycle)},
      {"end_cycle", int64_t(l.endCycle)},
      {"cycles", int64_t(l.cycles)},
      {"us", l.micros(s.clockMHz)},
      {"busy_cycles", json::Object{{"load", int64_t(l.busyCycles[0])},
                                   {"execute", int64_t(l.busyCycles[1])},
                                   {"store", int64_t(l.busyCycles[2])}}},
      {"macs", int64_t(l.macs)},
      {"utilisation", l.utilisation(t)},
      {"roofline_cycles", int64_t(l.rooflineCycles)},
      {"cycles_over_roofline", l.rooflineRatio()},
      {"energy_uj", l.energyUJ()},
      {"average_power_mw", l.averagePowerMW(s.clockMHz)},
      {"events", eventsJSON(l.events)},
      {"energy", energyJSON(l.energy)},
  };
}

json::Value sim::toJSON(const Stats &s, const TargetDescription &t) {
  json::Array layers;
  for (const SegmentStats &l : s.layers)
    layers.push_back(segmentJSON(l, s, t));
  char hash[32];
  snprintf(hash, sizeof(hash), "0x%016llx", (unsigned long long)s.targetHash);
  json::Object o{
      {"target", json::Object{{"name", s.targetName},
                              {"hash", std::string(hash)},
                              {"clock_mhz", s.clockMHz},
                              {"mac_rows", int64_t(s.macRows)},
                              {"mac_cols", int64_t(s.macCols)},
                              {"digit_bits", int64_t(s.digitBits)}}},
      {"total", segmentJSON(s.total, s, t)},
      {"layers", std::move(layers)},
      {"host", hostJSON(s)},
  };
  if (s.hasProgramLoad)
    o["program_load"] = segmentJSON(s.programLoad, s, t);
  return o;
}

json::Value sim::toChromeTrace(const Stats &s) {
  json::Array events;
  const char *engines[3] = {"load", "execute", "store"};
  events.push_back(json::Object{{"name", "process_name"},
                                {"ph", "M"},
                                {"pid", 0},
                                {"args", json::Object{{"name", "Mote NPU (" +
                                                                   s.targetName +
                                                                   ")"}}}});
  for (unsigned e = 0; e < 3; ++e)
    events.push_back(json::Object{
        {"name", "thread_name"},
        {"ph", "M"},
        {"pid", 0},
        {"tid", int64_t(e)},
        {"args", json::Object{{"name", std::string(engines[e]) + " engine"}}}});
  double mhz = s.clockMHz > 0 ? s.clockMHz : 1;
  for (const TraceSlice &slice : s.slices) {
    std::string name =
        slice.layer >= 0 && size_t(slice.layer) < s.layers.size()
            ? s.layers[slice.layer].name
            : std::string("(no layer)");
    events.push_back(json::Object{
        {"name", name},
        {"cat", engines[unsigned(slice.engine)]},
        {"ph", "X"},
        {"pid", 0},
        {"tid", int64_t(slice.engine)},
        {"ts", double(slice.startCycle) / mhz},
        {"dur", double(slice.endCycle - slice.startCycle) / mhz},
        {"args", json::Object{{"first_instruction",
                               int64_t(slice.firstInstruction)},
                              {"last_instruction",
                               int64_t(slice.lastInstruction)},
                              {"instructions", int64_t(slice.count)},
                              {"start_cycle", int64_t(slice.startCycle)},
                              {"end_cycle", int64_t(slice.endCycle)}}}});
  }
  return json::Object{{"traceEvents", std::move(events)},
                      {"displayTimeUnit", "ns"}};
}
