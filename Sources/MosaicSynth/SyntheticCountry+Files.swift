import Foundation
import MosaicCodebook
import MosaicIntake
import MosaicRegistry

/// Where a synthetic data set was written.
public struct SyntheticFiles: Sendable {
    /// The registry CSV.
    public var registry: String
    /// Counts files per quarter, in period order.
    public var counts: [Period: [String]]
    /// Every counts file, quarter by quarter.
    public var allCounts: [String] { counts.keys.sorted().flatMap { counts[$0]! } }
}

extension SyntheticCountry {
    /// Writes `registry.csv` and `counts/PERIOD/SCHOOL.csv` under `folder`.
    ///
    /// - Parameters:
    ///   - labels: write the optional label column (as the template does).
    ///   - progress: called with (files written, files in all, estimated).
    public func write(to folder: String, labels: Bool = false, progress: ((Int, Int) -> Void)? = nil) throws -> SyntheticFiles {
        let fm = FileManager.default
        try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let registry = (folder as NSString).appendingPathComponent("registry.csv")
        try RegistryFile.write(schools).write(toFile: registry, atomically: true, encoding: .utf8)
        var counts: [Period: [String]] = [:]
        let expected = schools.count * config.periods.count
        var done = 0
        for period in config.periods {
            let dir = (folder as NSString).appendingPathComponent("counts/\(period)")
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            var paths: [String] = []
            for s in submissions(for: period) {
                let path = (dir as NSString).appendingPathComponent("\(s.schoolID).csv")
                let text = CountsFile.write(s, codebook: codebook, format: .csv, labels: labels)
                guard fm.createFile(atPath: path, contents: Data(text.utf8)) else {
                    throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
                }
                paths.append(path)
                done += 1
                if done % 500 == 0 { progress?(done, expected) }
            }
            counts[period] = paths
        }
        progress?(expected, expected)
        return SyntheticFiles(registry: registry, counts: counts)
    }
}
