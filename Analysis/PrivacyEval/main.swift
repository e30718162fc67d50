// Utility and calibration of the privacy engine on the synthetic demo country.
//
//   privacy-eval utility [releases]      mean absolute error per level against ρ: the consistent
//                                        release vs. each level's own noisy measurement
//   privacy-eval calibration [releases]  share of true values inside the stated 95 % interval
//
// Noise comes from the OS CSPRNG, as in production; the figures vary slightly between runs.
import Foundation
import MosaicCodebook
import MosaicPrivacy
import MosaicRelease
import MosaicSamplers
import MosaicSynth

let args = CommandLine.arguments
let mode = args.count > 1 ? args[1] : "utility"
let releases = args.count > 2 ? Int(args[2]) ?? 50 : (mode == "calibration" ? 200 : 50)

let codebook = try Codebook.bundled()
let country = try SyntheticCountry(config: SynthConfig(), codebook: codebook)
let period = country.config.periods.last!
let geography = Geography(schools: country.schools, countryName: "Synthetic Spain")
var byProvince: [String: [Int]] = [:]
let provinceOf = Dictionary(uniqueKeysWithValues: country.schools.map { ($0.id, $0.provinceCode) })
for s in country.submissions(for: period) {
    let p = provinceOf[s.schoolID]!
    var v = byProvince[p] ?? [Int](repeating: 0, count: codebook.allCells.count)
    for i in v.indices { v[i] += s.counts[i] }
    byProvince[p] = v
}
let truth = TrueCounts(byProvince: byProvince)
let entropy = SystemEntropy()

@MainActor func run(rho: Rho, releases: Int) -> (consistent: [Level: Double], independent: [Level: Double], coverage: [Level: Double], lsCoverage: [Level: Double], totalMAE: [Level: Double], totalIndependent: [Level: Double]) {
    let engine = ReleaseEngine(codebook: codebook, geography: geography, plan: ReleasePlan.defaults(codebook: codebook, rho: rho))
    let values = engine.aggregate(truth)
    var abs: [Level: Double] = [:], absIndependent: [Level: Double] = [:], inside: [Level: Double] = [:], lsInside: [Level: Double] = [:], count: [Level: Double] = [:]
    var totalAbs: [Level: Double] = [:], totalAbsIndependent: [Level: Double] = [:], totalCount: [Level: Double] = [:]
    let totalTable = codebook.rules.equalTotals[0]
    for _ in 0..<releases {
        let m = engine.measure(truth, entropy: entropy)
        let e = engine.estimate(m)
        for (i, u) in geography.units.enumerated() {
            for j in 0..<codebook.allCells.count {
                let t = Double(values[i][j])
                abs[u.level, default: 0] += Swift.abs(Double(e.integerCells[i][j]) - t)
                absIndependent[u.level, default: 0] += Swift.abs(Double(max(0, m.cells[i][j])) - t)
                let moe = ReleaseEngine.margin(e.cellVariances[i][j])
                if Swift.abs(Double(e.integerCells[i][j]) - t) <= moe { inside[u.level, default: 0] += 1 }
                if Swift.abs(e.cells[i][j] - t) <= moe { lsInside[u.level, default: 0] += 1 }
                count[u.level, default: 0] += 1
            }
            let tt = Double(codebook.total(of: totalTable, in: values[i]))
            totalAbs[u.level, default: 0] += Swift.abs(Double(e.integerTotals[i]) - tt)
            totalAbsIndependent[u.level, default: 0] += Swift.abs(Double(max(0, m.totals[i])) - tt)
            totalCount[u.level, default: 0] += 1
        }
    }
    func ratio(_ a: [Level: Double], _ b: [Level: Double]) -> [Level: Double] { a.mapValues { $0 } .reduce(into: [:]) { $0[$1.key] = $1.value / b[$1.key]! } }
    return (ratio(abs, count), ratio(absIndependent, count), ratio(inside, count), ratio(lsInside, count), ratio(totalAbs, totalCount), ratio(totalAbsIndependent, totalCount))
}

let totalPersons = codebook.total(of: codebook.rules.equalTotals[0], in: ReleaseEngine(codebook: codebook, geography: geography, plan: ReleasePlan.defaults(codebook: codebook, rho: Rho("1")!)).aggregate(truth)[0])
print("Synthetic country: \(geography.units.count - 1 - geography.leaves.count) regions, \(geography.leaves.count) provinces, \(country.schools.count) schools; \(period): \(totalPersons) affected persons.")
switch mode {
case "calibration":
    print("Calibration over \(releases) releases per ρ: share of true values inside the stated 95 % interval (goal 94-96 %).")
    print("rho    level        published  least squares")
    for rhoText in ["0.5", "1", "2"] {
        let r = run(rho: Rho(rhoText)!, releases: releases)
        for level in Level.allCases {
            print(String(format: "%-6@ %-9@ %11.2f%% %14.2f%%", rhoText as NSString, level.rawValue as NSString, r.coverage[level]! * 100, r.lsCoverage[level]! * 100))
        }
    }
default:
    print("Mean absolute error per cell (all \(codebook.allCells.count) cells of every unit) over \(releases) releases per ρ.")
    print("rho    level       consistent  independent    ratio   total: cons.  total: indep.")
    for rhoText in ["0.25", "0.5", "1", "2", "4"] {
        let r = run(rho: Rho(rhoText)!, releases: releases)
        for level in Level.allCases {
            print(String(format: "%-6@ %-9@ %12.3f %12.3f %8.2f %14.2f %14.2f", rhoText as NSString, level.rawValue as NSString,
                         r.consistent[level]!, r.independent[level]!, r.consistent[level]! / r.independent[level]!,
                         r.totalMAE[level]!, r.totalIndependent[level]!))
        }
    }
}
