import Foundation
import MosaicCodebook
import MosaicCounts
import MosaicIntake
import Testing

@testable import MosaicSynth

@Suite struct SyntheticCountryTests {
    static let codebook = try! Codebook.bundled()
    static let country = try! SyntheticCountry(config: SynthConfig(), codebook: codebook)

    @Test func hasSpainsRegionsAndProvinces() {
        let schools = Self.country.schools
        #expect(Set(schools.map(\.regionCode)).count == 17)
        #expect(Set(schools.map(\.provinceCode)).count == 50)
        #expect((3_900...4_200).contains(schools.count))
        #expect(Set(schools.map(\.id)).count == schools.count)
        // Every province has enough schools to be published on its own (m = 5).
        let perProvince = Dictionary(grouping: schools, by: \.provinceCode).mapValues(\.count)
        #expect(perProvince.values.min()! >= 6)
    }

    @Test func enrolmentsArePlausible() {
        let e = Self.country.schools.map(\.enrolment).sorted()
        #expect(e.first! >= 15)
        #expect((200...700).contains(e[e.count / 2]))
        #expect(e.last! < 10_000)
    }

    @Test func isDeterministicForASeed() throws {
        let again = try SyntheticCountry(config: SynthConfig(), codebook: Self.codebook)
        #expect(again.schools == Self.country.schools)
        let p = Period("2026-Q1")!
        #expect(again.submissions(for: p) == Self.country.submissions(for: p))
        var other = SynthConfig()
        other.seed = 99
        #expect(try SyntheticCountry(config: other, codebook: Self.codebook).submissions(for: p) != Self.country.submissions(for: p))
    }

    @Test func everySubmissionObeysTheCodebookRules() {
        for p in Self.country.config.periods {
            for s in Self.country.submissions(for: p) {
                #expect(Self.codebook.ruleViolations(in: s.counts).isEmpty)
                #expect(s.counts.allSatisfy { $0 >= 0 })
            }
        }
    }

    @Test func mostSchoolsReportZeroAndSomeDoNotReport() {
        let p = Self.country.config.periods.last!
        let subs = Self.country.submissions(for: p)
        let zero = subs.filter { Self.codebook.total(of: "incidents", in: $0.counts) == 0 }.count
        #expect(Double(zero) / Double(subs.count) > 0.75)
        let missing = Self.country.schools.count - subs.count
        #expect(missing > 0 && Double(missing) / Double(Self.country.schools.count) < 0.15)
    }

    @Test func theTrendRises() {
        let periods = Self.country.config.periods
        func total(_ p: Period) -> Int {
            Self.country.submissions(for: p).reduce(0) { $0 + Self.codebook.total(of: "incidents", in: $1.counts) }
        }
        let first = total(periods[0]) + total(periods[1])
        let last = total(periods[6]) + total(periods[7])
        #expect(Double(last) > 1.3 * Double(first))
    }

    @Test func oneHotspotOfTwentyToThirtyVictims() throws {
        let h = try #require(Self.country.hotspot)
        #expect((20...30).contains(h.victims))
        let s = try #require(Self.country.submissions(for: h.period).first { $0.schoolID == h.schoolID })
        #expect(Self.codebook.total(of: "incidents", in: s.counts) >= h.victims)
        let school = try #require(Self.country.schools.first { $0.id == h.schoolID })
        #expect(school.provinceCode == "ES-06")
    }

    @Test func victimsAreMostlyFemale() {
        var female = 0
        var all = 0
        for s in Self.country.submissions(for: Self.country.config.periods.last!) {
            for cell in Self.codebook.table("incidents")!.cells {
                all += s.counts[cell.index]
                if cell.values[2] == "female" { female += s.counts[cell.index] }
            }
        }
        #expect(Double(female) / Double(all) > 0.75)
    }

    @Test func writtenFilesAreValidCountsFiles() throws {
        var config = SynthConfig()
        config.schools = 100
        config.periods = [Period("2026-Q2")!]
        let country = try SyntheticCountry(config: config, codebook: Self.codebook)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synth-\(UUID())").path
        let files = try country.write(to: dir, labels: true)
        let results = Ingestor.validate(files.allCounts, check: nil, now: Date())
        #expect(results.allSatisfy { if case .success = $0 { true } else { false } })
        #expect(FileManager.default.fileExists(atPath: files.registry))
    }
}
