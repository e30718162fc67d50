// Sampler throughput: draws per second of Mosaic's exact samplers over the OS CSPRNG, one core.
// Prints one line per configuration: `name parameter draws_per_second variance`.
// Run through Analysis/sampler-benchmark.sh, which compares with OpenDP in the same run.
import Foundation
import MosaicSamplers

let draws = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 2_000_000 : 2_000_000

func measure(_ name: String, _ parameter: String, _ draw: () -> Int64) {
    // Warm up, then time.
    for _ in 0..<10_000 { _ = draw() }
    var sum: Int64 = 0
    var squares: Int64 = 0
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<draws {
        let x = draw()
        sum &+= x
        squares &+= x &* x
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let mean = Double(sum) / Double(draws)
    let variance = Double(squares) / Double(draws) - mean * mean
    print(name, parameter, String(format: "%.0f", Double(draws) / seconds), String(format: "%.3f", variance))
}

let e = SystemEntropy()
for sigma in [2, 10] as [UInt64] {
    let g = DiscreteGaussian(sigma2Num: sigma * sigma)
    measure("gaussian", "\(sigma)") { g.sample(e) }
}
for scale in [1, 10] as [UInt64] {
    let l = DiscreteLaplace(scaleNum: scale)
    measure("laplace", "\(scale)") { l.sample(e) }
}
