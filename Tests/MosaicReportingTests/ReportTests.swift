import Foundation
import MosaicCodebook
import MosaicDisclosure
import MosaicErrorModel
import MosaicPrivacy
import MosaicQuery
import MosaicRelease
import MosaicReleaseFile
import MosaicStore
import MosaicSynth
import MosaicTestSupport
import Testing

@testable import MosaicReporting

/// Hand-made release files with known figures: a country with two regions of one province each.
struct KnownReleases {
    let folder: String
    var files: [String] = []

    /// totals[q] = (country, region A, region B) as (value, moe); nil value = suppressed.
    /// `withheld`: the status of a nil total (below_k by default); `cells`: when given, every
    /// codebook cell is withheld with this status (unknown to a reader) instead of published as 0.
    init(_ totals: [(Int?, Int?, Int?)], moe: Double = 5.0, withheld: CellStatus = .belowK, cells: CellStatus? = nil) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("mosaic-report-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let codebook = try Codebook.bundled()
        let periods = Period("2026-Q3")!.trailing(totals.count)
        let units = [
            UnitRow(level: .country, geoCode: "ALL", geoName: "All", parentCode: ""),
            UnitRow(level: .region, geoCode: "RA", geoName: "Region A", parentCode: "ALL"),
            UnitRow(level: .region, geoCode: "RB", geoName: "Region B", parentCode: "ALL"),
            UnitRow(level: .province, geoCode: "PA", geoName: "Province A", parentCode: "RA"),
            UnitRow(level: .province, geoCode: "PB", geoName: "Province B", parentCode: "RB"),
        ]
        var noise: [NoiseRow] = []
        for t in codebook.tables.map(\.name) + ["total"] {
            for l in Level.allCases {
                noise.append(NoiseRow(tableName: t, level: l, sigma2Num: 10, sigma2Den: 1, rhoNano: 1))
            }
        }
        for (q, (c, a, b)) in totals.enumerated() {
            let p = periods[q].description
            var rows: [ReleaseRow] = []
            for (u, v) in zip(units, [c, a, b, a, b]) {
                rows.append(
                    ReleaseRow(
                        period: p, level: u.level, geoCode: u.geoCode, geoName: u.geoName, tableName: "total", cell: "persons",
                        value: v, moe95: v == nil ? nil : moe, status: v == nil ? withheld : .published))
                for cell in codebook.allCells {
                    rows.append(
                        ReleaseRow(
                            period: p, level: u.level, geoCode: u.geoCode, geoName: u.geoName, tableName: cell.table, cell: cell.code,
                            value: cells == nil ? 0 : nil, moe95: cells == nil ? 2.0 : nil, status: cells ?? .published))
                }
            }
            let coverage = units.map {
                CoverageRow(
                    period: p, level: $0.level, geoCode: $0.geoCode, geoName: $0.geoName, registeredSchools: 20,
                    registeredEnrolment: 10_000, coverage: PublishedCoverage(status: .band, low: 90, high: 95))
            }
            let data = ReleaseData(
                metadata: [
                    ("release_id", "\(p)-R1"), ("period", p), ("codebook_version", "1"), ("rho", "1"), ("epsilon", "7.766"),
                    ("k", "5"), ("min_schools", "5"),
                ],
                rows: rows, tables: [], coverage: coverage, units: units, noise: noise)
            let path = folder + "/\(p).sqlite"
            try ReleaseFile.write(data, to: path)
            files.append(path)
        }
    }
}

@Suite struct ReportModelTests {
    @Test func changesAreCalledRisesOnlyBeyondTheMargin() throws {
        // moe 5 each: the margin of a difference is √50 ≈ 7.07.
        let r = try KnownReleases([(100, 60, 40), (101, 61, 40), (100, 60, 40), (95, 55, 40), (120, 80, 40)])
        let m = try ReportModel.build(releases: r.files)
        #expect(m.changes.count == 2)
        #expect(m.changes[0].against == "2026-Q2" && m.changes[0].difference == 25 && m.changes[0].verdict == .rise)
        #expect(abs(m.changes[0].moe95! - 50.0.squareRoot()) < 1e-9)
        #expect(m.changes[1].against == "2025-Q3" && m.changes[1].difference == 20 && m.changes[1].verdict == .rise)
        let flat = try ReportModel.build(releases: try KnownReleases([(100, 60, 40), (107, 67, 40)]).files)
        #expect(flat.changes[0].verdict == .within)
        let fall = try ReportModel.build(releases: try KnownReleases([(100, 60, 40), (92, 52, 40)]).files)
        #expect(fall.changes[0].verdict == .fall)
        let unknown = try ReportModel.build(releases: try KnownReleases([(100, 60, 40), (nil, nil, nil)]).files)
        #expect(unknown.changes[0].verdict == .unknown)
    }

    @Test func ratesDivideByRegisteredPupilsTimesThePublishedReportingShare() throws {
        let m = try ReportModel.build(releases: try KnownReleases([(90, 60, 30)]).files)
        let p = try #require(m.scope.points.last)
        // 10,000 registered pupils, 90–95 % of schools reporting: 9,250 pupils; 90 per 9,250.
        #expect(abs(p.rate! - 90.0 / 9_250 * 10_000) < 1e-9)
        // The margin: the noise's (5 persons) and the band's (± 2.5 points around 92.5 %), combined.
        let noise = 5.0 / 9_250 * 10_000
        let band = p.rate! * 2.5 / 92.5
        #expect(abs(p.rateMoe95! - (noise * noise + band * band).squareRoot()) < 1e-9)
        #expect(m.ranking.map(\.code) == ["RA", "RB"])
    }

    @Test func notableRisesAreAboveTheirOwnTrendBeyondTheMargin() throws {
        let m = try ReportModel.build(
            releases: try KnownReleases([(100, 50, 50), (100, 50, 50), (100, 50, 50), (100, 50, 50), (130, 80, 50)]).files)
        #expect(m.notable.map(\.code) == ["ALL", "RA"])
        let none = try ReportModel.build(releases: try KnownReleases([(100, 50, 50), (100, 50, 50), (104, 54, 50)]).files)
        #expect(none.notable.isEmpty)
    }

    @Test func suppressedValuesAreShownAsSuchNeverAsZeroOrBlank() throws {
        let m = try ReportModel.build(releases: try KnownReleases([(100, 60, 40), (100, nil, 40)]).files)
        for lang in ["en", "es"] {
            let r = ReportRenderer(model: m, strings: try ReportStrings(language: lang))
            let md = r.markdown()
            #expect(md.contains(lang == "en" ? "fewer than 5" : "menos de 5"))
            #expect(r.html().contains(lang == "en" ? "fewer than 5" : "menos de 5"))
            // Codes beside names, and a withheld value's range (0 to k − 1) in lower and upper.
            #expect(r.csv().contains("trend,RA,Region A,2026-Q3,persons,"))
            // The margin of the noise on the withheld value (public parameters) stays beside it.
            #expect(r.csv().contains(",below_k,0,4,"))
            #expect(!r.csv().contains(",,,below_k,"))
        }
    }

    @Test func eachReasonForAWithheldValueReadsInWords() throws {
        let m = try ReportModel.build(releases: try KnownReleases([(100, 60, 40), (100, 60, 40)]).files)
        let en = ReportRenderer(model: m, strings: try ReportStrings(language: "en"))
        let es = ReportRenderer(model: m, strings: try ReportStrings(language: "es"))
        func f(_ status: String) -> Figure { Figure(value: nil, moe95: nil, status: status) }
        #expect(en.figure(f("below_k")) == "fewer than 5")
        #expect(en.figure(f("complementary")) == "withheld to protect another figure")
        #expect(en.figure(f("small_area")) == "not published (fewer than 5 schools registered or 5 reporting)")
        #expect(es.figure(f("complementary")) == "no se publica para proteger otra cifra")
        #expect(en.figure(Figure(value: nil, moe95: 3.0, status: "bounded", lower: 12, upper: nil)) == "at least 12 ± 3.0")
        // The headline never calls a complementary total "fewer than 5".
        var withheld = m
        withheld.scope.points[withheld.scope.points.count - 1].persons = f("complementary")
        let headline = ReportRenderer(model: withheld, strings: try ReportStrings(language: "en")).headline
        #expect(headline.contains("withheld to protect another figure") && !headline.contains("fewer than"))
    }

    @Test func numbersAndQuartersFollowTheLanguage() throws {
        let en = try ReportStrings(language: "en")
        let es = try ReportStrings(language: "es")
        #expect(en.number(12345) == "12,345" && es.number(12345) == "12.345")
        #expect(en.decimal(1234.56, places: 1) == "1,234.6" && es.decimal(1234.56, places: 1) == "1.234,6")
        #expect(en.quarter("2026-Q3") == "Q3 2026" && es.quarter("2026-Q3") == "3T 2026")
        #expect(throws: ReportError.unknownLanguage("fr")) { _ = try ReportStrings(language: "fr") }
    }

    @Test func everyLanguageFileHasEveryKey() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../Sources/MosaicReporting/Resources"
        ).standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("report-") }
        let keys = try files.map {
            Set((try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent($0))) as! [String: String]).keys)
        }
        #expect(files.count == ReportStrings.available.count)
        for k in keys { #expect(k == keys[0]) }
    }
}

/// Reports built from real releases of a synthetic country.
@Suite struct ReportFromReleasesTests {
    /// The releases, made once per test process (they are only read), and a fresh folder for each test's outputs.
    static func releases() throws -> (files: [String], schools: [(String, String)], folder: String) {
        let (files, schools) = try made.get()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mosaic-rep-out-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return (files, schools, folder)
    }

    static let made: Result<([String], [(String, String)]), Error> = Result {
        let (files, schools, _) = try makeReleases()
        return (files, schools)
    }

    static func makeReleases() throws -> (files: [String], schools: [(String, String)], folder: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mosaic-rep-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let store = try Store.create(at: folder + "/s.sqlite")
        var config = SynthConfig()
        config.schools = 500
        config.periods = Period("2026-Q3")!.trailing(5)
        let country = try SyntheticCountry(config: config, codebook: try Codebook.bundled())
        _ = try store.importRegistry(country.schools, source: "r")
        var files: [String] = []
        for p in config.periods {
            _ = try store.record(
                country.submissions(for: p).map { IncomingSubmission(submission: $0, sourceName: "x", sourceFormat: "csv") })
            var request = ReleaseRequest(period: p)
            request.replicates = 2
            let data = try Releaser(store: store).create(request)
            try ReleaseFile.write(data, to: folder + "/\(p).sqlite")
            files.append(folder + "/\(p).sqlite")
        }
        return (files, country.schools.map { ($0.id, $0.name) }, folder)
    }

    @Test func theHeadlineAndTrendAgreeWithTheReleases() throws {
        let (files, _, _) = try Self.releases()
        let m = try ReportModel.build(releases: files)
        for (p, f) in zip(m.scope.points, files) {
            let row = try ReleaseFile_total(f)
            #expect(p.persons.value == row.value && p.persons.moe95 == row.moe95)
        }
        let md = ReportRenderer(model: m, strings: try ReportStrings(language: "en")).markdown()
        let last = try ReleaseFile_total(files.last!)
        #expect(md.contains("reported \(ReportStrings.enNumber(last.value!)) affected persons (± \(String(format: "%.1f", last.moe95!)))"))
    }

    @Test func noSchoolIdOrNameAppearsInAnyFormat() throws {
        let (files, schools, folder) = try Self.releases()
        let written =
            try ReportWriter.write(
                releases: files, region: nil, language: "en", formats: [.html, .md, .csv, .json], folder: folder + "/out")
            + ReportWriter.write(
                releases: files, region: "ES-EX", language: "es", formats: [.html, .md, .csv, .json], folder: folder + "/out")
        #expect(written.count == 8)
        let text = try written.map { try String(contentsOfFile: $0, encoding: .utf8) }.joined(separator: "\n")
        for (id, name) in schools {
            #expect(!text.contains(id) && !text.contains(name + "<") && !text.contains(name + "|") && !text.contains(name + ","), "\(id)")
        }
        #expect(text.contains("Extremadura"))
    }

    @Test func theHTMLRendersInAHeadlessBrowserAndLoadsNothingFromOutside() throws {
        let (files, _, folder) = try Self.releases()
        let html = try #require(
            try ReportWriter.write(releases: files, region: nil, language: "en", formats: [.html], folder: folder).first)
        let page = try String(contentsOfFile: html, encoding: .utf8)
        for external in ["http://", "https://", "<script", "src=", "@import", "url(", "<link"] {
            #expect(!page.contains(external), "the page references \(external)")
        }
        guard ReportWriter.chromium() != nil else {
            Issue.record("headless Chromium is not installed (make test installs it)")
            return
        }
        let png = folder + "/page.png"
        try ReportWriter.runChromium(["--window-size=1000,2000", "--screenshot=\(png)", URL(fileURLWithPath: html).absoluteString])
        let data = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        // A blank page compresses to a few kilobytes; charts and text make it far larger.
        #expect(data.count > 60_000, "PNG of \(data.count) bytes looks blank")
    }
}

func ReleaseFile_total(_ path: String) throws -> ReleaseRow {
    try MosaicReleaseFile.ReleaseReader.read(path).rows.first { $0.level == .country && $0.tableName == "total" }!
}

extension ReportStrings {
    static func enNumber(_ n: Int) -> String { (try! ReportStrings(language: "en")).number(n) }
}

/// The issue-11 defects, each pinned as fixed.
@Suite struct ReportChartTests {
    func renderer(_ m: ReportModel, _ lang: String = "en") throws -> ReportRenderer {
        ReportRenderer(model: m, strings: try ReportStrings(language: lang))
    }

    @Test func aRangeRowIsDrawnSolidToItsLowerEndAndHatchedToItsUpper() throws {
        let m = try ReportModel.build(releases: try KnownReleases([(100, 60, 40), (100, 60, 40)]).files)
        let r = try renderer(m)
        let rows = [
            ReportRenderer.BarRow(label: "range", value: nil, moe: 7, lower: 35, upper: 38, text: "35–38 ± 7"),
            ReportRenderer.BarRow(label: "zero", value: 0, moe: 3, text: "0 ± 3"),
            ReportRenderer.BarRow(label: "big", value: 40, moe: 3, text: "40 ± 3"),
        ]
        let html = r.barChart(id: "t", rows: rows, title: "t", decimals: 0)
        #expect(html.components(separatedBy: "class=\"bar-row\"").count - 1 == 3, "every row is drawn")
        #expect(html.contains("<span class=\"bar hatch\""), "a range has a hatched extension")
        // The scale is shared: the zero row's whisker (±3) is as long as the big row's, never the full width.
        let whiskers = html.components(separatedBy: "class=\"whisker\" style=\"").dropFirst().map { $0.prefix(while: { $0 != "\"" }) }
        #expect(whiskers.count == 3)
        #expect(!whiskers.contains { $0.contains("width:calc(100.00%") && $0.contains("left:0.00%") })
        // Round ticks with gridlines.
        #expect(html.contains("class=\"grid\""))
        #expect(ReportRenderer.ticks(maximum: 47) == [0, 10, 20, 30, 40, 50])
        #expect(ReportRenderer.ticks(maximum: 0.37, count: 4) == [0, 0.1, 0.2, 0.3, 0.4])
    }

    @Test func aHiddenCountHasARangeOfRatesNeverFewerThanK() throws {
        let m = try ReportModel.build(releases: try KnownReleases([(100, 60, 40), (100, nil, 40)]).files)
        let r = try renderer(m)
        let ra = try #require(m.subunits.first { $0.code == "RA" }?.points.last)
        #expect(ra.rate == nil)
        let text = r.rate(ra)
        #expect(!text.contains("fewer than"))
        // 0 to 4 persons over 10,000 × 92.5 % pupils, widened by the reporting band (± 2.5 points).
        // And the noise's margin in rate units beside it (the range alone would look surer than it is).
        let noise = try #require(ra.persons.moe95) / 9_250 * 10_000
        #expect(
            text
                == "\(r.s.decimal(0, places: 2))–\(r.s.decimal(4 / 9_250 * 10_000 * (1 + 2.5 / 92.5), places: 2)) ± \(r.s.decimal(noise, places: 2))"
        )
        let es = try renderer(m, "es")
        #expect(!es.rate(ra).contains("menos de"))
        #expect(es.figure(Figure(value: nil, moe95: nil, status: "small_area")).hasPrefix("no se publica"))
    }

    @Test func everyRegionPanelSharesOneScaleInRatesWithTheCountryDashed() throws {
        let m = try ReportModel.build(releases: try KnownReleases([(100, 90, 10), (120, 100, 20)]).files)
        let html = try renderer(m).html()
        let panels = html.components(separatedBy: "<svg class=\"multiple\"").dropFirst().map {
            String($0.prefix(while: { $0 != "<" || true }).prefix(4000))
        }
        #expect(panels.count == 2)
        func tickLabels(_ svg: String) -> [String] {
            svg.components(separatedBy: "text-anchor=\"end\">").dropFirst().map { String($0.prefix(while: { $0 != "<" })) }
        }
        #expect(!tickLabels(panels[0]).isEmpty)
        #expect(tickLabels(panels[0]) == tickLabels(panels[1]), "one shared axis")
        #expect(panels.allSatisfy { $0.contains("stroke-dasharray") }, "the country's rate as a reference line")
    }

    @Test func breakdownsAreSortedBySizeWithUnknownLast() throws {
        let cats = [("a", 5), ("unknown", 50), ("b", 30), ("c.other", 40), ("d", 30)].map {
            Category(code: $0.0, label: $0.0, figure: Figure(value: $0.1, moe95: 1, status: "published"))
        }
        #expect(ReportModel.sortedBySize(cats).map(\.code) == ["b", "d", "a", "unknown", "c.other"])
    }

    @Test func labelsAreNeverCutAndSpanishReadsRight() throws {
        let files = try KnownReleases([(100, 60, 40), (100, 60, 40)]).files
        let m = try ReportModel.build(releases: files)
        let es = try renderer(try ReportModel.build(releases: files, language: "es"), "es")
        let html = es.html()
        let codebook = try Codebook.bundled()
        for cell in codebook.allCells where cell.table == "responses" {
            // The report's own wording (responses as nouns) where it has one, else the codebook's; in full.
            let label = es.s.label(dimension: "response", code: cell.values[0]) ?? codebook.label(of: cell, language: "es")
            #expect(html.contains(es.esc(label)), "label in full: \(cell.code)")
        }
        #expect(html.contains("Solicitud de retirada a una plataforma o a un servicio de huella digital"))
        #expect(html.contains("Alumnas de 14 a 15 años") && html.contains("Personal del centro: mujeres"), "gender agrees with the group")
        #expect(html.contains("ε = 7,766"), "a Spanish decimal comma in ε")
        #expect(!html.contains("7.766"))
        #expect(html.contains("del 2T 2026 al 3T 2026"))
        #expect(html.contains("Puntos principales") && html.contains("El último trimestre") && !html.contains("Titular"))
        #expect(!html.contains("All regions") && !html.contains(">All<"))
        let en = try renderer(m).html()
        #expect(en.contains("ε = 7.766 is a moderate privacy loss"))
        #expect(!en.contains("almost equally likely"))
    }

    @Test func aProvinceCodeIsNamedAsSuch() throws {
        let files = try KnownReleases([(100, 60, 40)]).files
        #expect(
            throws: QueryError.invalid(
                "PA is a province (Province A) of region RA: a report covers the whole country or one region (--region RA)")
        ) {
            _ = try ReportModel.build(releases: files, region: "PA")
        }
    }
}

/// Every unit against the national rate, US Census style.
@Suite struct NationalComparisonTests {
    @Test func aUnitIsAboveOrBelowOnlyBeyondTheMarginOfTheDifference() {
        func point(_ rate: Double?, _ moe: Double?) -> Point {
            var p = Point(
                period: "2026-Q3", persons: Figure(value: 1, moe95: 1, status: "published"), registeredSchools: 1, registeredEnrolment: 1,
                coverage: PublishedCoverage(status: .complete, low: 100, high: 100))
            p.rate = rate
            p.rateMoe95 = moe
            return p
        }
        let national = point(5, 0.3)
        #expect(ReportModel.againstNational(point(6, 0.4), national) == .rise)  // 1 > √(0.16 + 0.09) = 0.5
        #expect(ReportModel.againstNational(point(5.4, 0.4), national) == .within)
        #expect(ReportModel.againstNational(point(4.4, 0.4), national) == .fall)
        #expect(ReportModel.againstNational(point(nil, nil), national) == .unknown)
    }

    @Test func aRegionalReportSaysWhereTheRegionStandsAndFlagsItsProvinces() throws {
        let files = try KnownReleases([(100, 90, 10), (100, 90, 10)], moe: 1).files
        let m = try ReportModel.build(releases: files, region: "RA")
        #expect(m.national.code == "ALL")
        let r = ReportRenderer(model: m, strings: try ReportStrings(language: "en"))
        // Every unit has 10,000 registered pupils and a 90–95 % band: Region A's 90 persons are
        // 97.3 per 10,000, the country's 100 are 108.1, each ± 1.08 for the noise and ± 2.7 % for
        // the band (± 3.12 for the country): below, beyond the margin.
        let line = try #require(r.nationalLine)
        #expect(line.contains("The national rate in Q3 2026 is 108.11 ± 3.12"), "\(line)")
        #expect(line.contains("Region A is below the national rate"))
        #expect(r.html().contains("Against the national rate"))
        #expect(r.csv().contains("vs_national,RA,Region A,2026-Q3,rate_per_10000,"))
        let country = ReportRenderer(model: try ReportModel.build(releases: files), strings: try ReportStrings(language: "es"))
        #expect(country.nationalLine == nil)
        #expect(country.html().contains("Frente a la tasa nacional"))
    }
}

/// The bulletin's frame: main points true under their margins, what to know, a glossary.
@Suite struct BulletinFrameTests {
    @Test func mainPointsSayOnlyWhatTheMarginsAllow() throws {
        // A rise of 25 against a year earlier with margins of 5 each (difference margin 7.1): confident.
        let rising = try ReportModel.build(
            releases: try KnownReleases([(100, 60, 40), (100, 60, 40), (100, 60, 40), (100, 60, 40), (125, 85, 40)]).files)
        let r = ReportRenderer(model: rising, strings: try ReportStrings(language: "en"))
        let points = r.mainPoints
        #expect(points.count >= 2 && points.count <= 5)
        #expect(points[0].hasPrefix("Schools in the whole country reported 125 affected persons (± 5.0) in Q3 2026"))
        #expect(points[1] == "That is more than in Q3 2025 (+25 ± 7.1): a rise we can be confident in.")
        // Every category is 0 ± 2 in these files: no category leads beyond the margins, so none is named.
        #expect(!points.contains { $0.contains("most common") })
        // A change of 4 is within the margin: said so, never called a rise.
        let flat = try ReportModel.build(
            releases: try KnownReleases([(100, 60, 40), (100, 60, 40), (100, 60, 40), (100, 60, 40), (104, 64, 40)]).files)
        let f = ReportRenderer(model: flat, strings: try ReportStrings(language: "es")).mainPoints
        #expect(f[1].contains("dentro del margen de error"))
    }

    @Test func theFrameCarriesReleaseDateSettingsAndGlossary() throws {
        let m = try ReportModel.build(releases: try KnownReleases([(100, 60, 40), (100, 60, 40)]).files)
        let r = ReportRenderer(
            model: m, strings: try ReportStrings(language: "en"),
            settings: ReportSettings(nextRelease: "2027-02-15", contact: "stats <team>@example.org"))
        let html = r.html()
        #expect(html.contains("Next release: 15 February 2027."))
        #expect(html.contains("Contact: stats &lt;team&gt;@example.org."), "the contact is text, escaped")
        #expect(html.contains("Things you need to know") && html.contains("under-reporting"))
        #expect(html.contains("<dt>Margin of error (± m)</dt>"))
        #expect(r.markdown().contains("## Main points"))
    }
}

/// The last four quarters pooled from four quarterly releases.
@Suite struct PooledTests {
    @Test func fourQuartersAddUpWithTheRootOfSummedSquaredMarginsAndAChangeInPercent() throws {
        let quarters: [(Int?, Int?, Int?)] = [
            (100, 60, 40), (100, 60, 40), (100, 60, 40), (100, 60, 40), (110, 70, 40), (110, 70, 40), (110, 70, 40), (110, 70, 40),
        ]
        let m = try ReportModel.build(releases: try KnownReleases(quarters).files)
        let all = try #require(m.pooled.first { $0.code == "ALL" })
        #expect(all.persons.value == 440)
        #expect(abs(all.persons.moe95! - 10.0) < 1e-6, "√(4 × 5²) = 10")
        #expect(all.first == "2025-Q4" && all.last == "2026-Q3")
        #expect(abs(all.changePercent! - 10.0) < 1e-9)
        // 100 × √(10² + 1.1² × 10²) / 400
        #expect(abs(all.changePercentMoe95! - 100 * (100 + 1.21 * 100).squareRoot() / 400) < 1e-9)
        #expect(abs(all.rate! - 440 / 9_250 * 10_000) < 1e-6)
    }

    @Test func aWithheldQuarterMakesTheSumARangeNeverAValue() throws {
        let m = try ReportModel.build(releases: try KnownReleases([(100, 60, 40), (100, nil, 40), (100, 60, 40), (100, 60, 40)]).files)
        let ra = try #require(m.pooled.first { $0.code == "RA" })
        #expect(ra.persons.value == nil && ra.persons.status == "bounded")
        #expect(ra.persons.lower == 180 && ra.persons.upper == 184)
        #expect(ra.rate == nil)
        let md = ReportRenderer(model: m, strings: try ReportStrings(language: "en")).markdown()
        #expect(md.contains("| Region A | 180–184 ± "))
    }
}
