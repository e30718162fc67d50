import Foundation
import MosaicCodebook
import MosaicPrivacy
import MosaicRegistry
import MosaicReleaseFile
import MosaicStore
import MosaicSynth
import MosaicTestSupport

@testable import MosaicEngine
@testable import MosaicRelease

/// A store holding a small synthetic country's submissions for one quarter.
struct ReleaseFixture {
    let folder: String
    let store: Store
    let country: SyntheticCountry
    let period = Period("2026-Q3")!
    let codebook = try! Codebook.bundled()

    init(schools: Int = 400) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("mosaic-release-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        store = try Store.create(at: folder + "/store.sqlite")
        var config = SynthConfig()
        config.schools = schools
        config.periods = [Period("2026-Q2")!, period]
        country = try SyntheticCountry(config: config, codebook: codebook)
        _ = try store.importRegistry(country.schools, source: "registry.csv")
        let incoming = country.submissions(for: period).map {
            IncomingSubmission(submission: $0, sourceName: "\($0.schoolID).csv", sourceFormat: "csv")
        }
        _ = try store.record(incoming)
    }

    var releaser: Releaser { Releaser(store: store) }

    func create(rho: String = "1", seed: UInt64 = 1, k: Int = 5, m: Int = 5) throws -> MosaicReleaseFile.ReleaseData {
        try releaser.create(
            ReleaseRequest(period: period, rho: Rho(rho)!, k: k, minimumSchools: m).with(replicates: 3), entropy: SeededEntropy(seed: seed))
    }
}

extension ReleaseRequest {
    func with(replicates: Int) -> ReleaseRequest {
        var r = self
        r.replicates = replicates
        return r
    }
}
