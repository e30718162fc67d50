import Foundation
import MosaicCodebook
import MosaicDisclosure
import MosaicErrorModel
import MosaicQuery
import MosaicReleaseFile
import Testing

@testable import MosaicReporting

/// Withheld values read as what the published figures imply, tables carry flags, and rates
/// carry the reporting band's uncertainty.
@Suite struct ReaderRangeTests {
    /// The country's 100 and region B's 20 are published; region A (and its one province) is
    /// withheld to protect another figure: a reader knows it is 80.
    func release() throws -> [String] {
        try KnownReleases([(100, nil, 20)], withheld: .complementary, cells: .smallArea).files
    }

    @Test func aWithheldValueReadsAsTheRangeTheFileImplies() throws {
        let file = try #require(try release().first)
        let (data, info) = try ReleaseReader.readChecked(file)
        let ranges = try data.readerIntervals(codebook: try Codebook.bundled(), k: info.k)
        let ra = try #require(ranges[.total(.region, "RA")])
        #expect(ra.lower == 80 && ra.upper == 80)
        // Region A's cells are bounded by its total (each table counts a person once).
        let cell = try #require(
            ranges[
                ValueKey(level: .region, geoCode: "RA", tableName: "incidents", cell: Codebook.bundled().table("incidents")!.cells[0].code)]
        )
        #expect(cell.lower == 0 && cell.upper == 80)
    }

    @Test func aWithheldUnitIsRankedWhereItsRangePutsItNotLast() throws {
        let m = try ReportModel.build(releases: try release())
        let ra = try #require(m.subunits.first { $0.code == "RA" }?.points.last)
        #expect(ra.persons.value == nil && ra.persons.lower == 80 && ra.persons.upper == 80)
        #expect(ra.persons.moe95 ?? 0 > 0, "the noise's margin from the public parameters")
        // Before: "at least 5", ranked last under region B's 20. Now first.
        #expect(m.ranking.map(\.code) == ["RA", "RB"])
        let r = ReportRenderer(model: m, strings: try ReportStrings(language: "en"))
        let md = r.markdown()
        #expect(md.contains("80–80 ± "))
        #expect(md.contains("(c)") && md.contains("_c: withheld to protect another figure"))
        #expect(!md.contains("| withheld to protect another figure |"), "a flag, not the reason in every cell")
        let html = r.html()
        #expect(html.contains("<abbr class=\"flag\" title=\"withheld to protect another figure"))
        // Every unit has 10,000 registered pupils: region A's 80 are 86.5 per 10,000 against the
        // country's 108.1, below beyond the margin of its whole range.
        #expect(ReportModel.againstNational(ra, m.national.points.last) == .fall)
    }

    @Test func smallAreasReadNotPublishedWithTheirOwnFlag() throws {
        let m = try ReportModel.build(releases: try KnownReleases([(100, nil, 20)], withheld: .smallArea, cells: .smallArea).files)
        let r = ReportRenderer(model: m, strings: try ReportStrings(language: "en"))
        let f = Figure(value: nil, moe95: nil, status: "small_area")
        #expect(r.flagged(f) == "not published\u{00A0}(s)")
        let legend = "not published on its own: fewer than 5 schools registered or 5 reporting (counted in the whole country)"
        #expect(r.flagLegend([[r.flagged(f)]])?.contains(legend) == true)
        let es = ReportRenderer(model: m, strings: try ReportStrings(language: "es"))
        #expect(es.flagged(f) == "no publicado\u{00A0}(a)")
    }

    @Test func aTinyFigureIsFlaggedLowReliability() throws {
        let m = try ReportModel.build(releases: try KnownReleases([(100, 60, 40)]).files)
        let r = ReportRenderer(model: m, strings: try ReportStrings(language: "en"))
        #expect(r.flagged(Figure(value: 0, moe95: 3.0, status: "published")) == "0 ± 3.0\u{00A0}(u)")
        #expect(r.flagged(Figure(value: 3, moe95: 3.0, status: "published")) == "3 ± 3.0\u{00A0}(u)")
        #expect(r.flagged(Figure(value: 9, moe95: 3.1, status: "published")) == "9 ± 3.1")
        // 40 % of the value or more (a coefficient of variation of about 20 %), as offices flag.
        #expect(r.flagged(Figure(value: 6, moe95: 5.5, status: "published")) == "6 ± 5.5\u{00A0}(u)")
        #expect(r.flagged(Figure(value: 28, moe95: 15.6, status: "published")) == "28 ± 15.6\u{00A0}(u)")
        #expect(r.flagged(Figure(value: 19, moe95: 4.1, status: "published")) == "19 ± 4.1")
    }

    @Test func narrowingNeverWidensAndRoundsInwards() {
        var f = Figure(value: nil, moe95: nil, status: "below_k", lower: 0, upper: 4)
        f.narrow(to: DerivedInterval(lower: 1.2, upper: 9))
        #expect(f.lower == 2 && f.upper == 4)
        var open = Figure(value: nil, moe95: nil, status: "small_area")
        open.narrow(to: DerivedInterval(lower: 0, upper: .infinity))
        #expect(open.lower == nil && open.upper == nil, "nothing learnt: nothing shown")
        open.narrow(to: DerivedInterval(lower: 13.9999999, upper: 17.0000001))
        #expect(open.lower == 14 && open.upper == 17)
    }

    @Test func aRiseThatMoreSchoolsReportingCouldExplainIsNotConfident() {
        func point(_ v: Int, rate: Double, rateMoe: Double) -> Point {
            var p = Point(
                period: "2026-Q3", persons: Figure(value: v, moe95: 3, status: "published"), registeredSchools: 100,
                registeredEnrolment: 10_000, coverage: .withheld)
            p.rate = rate
            p.rateMoe95 = rateMoe
            return p
        }
        // +20 persons (margin 4.2) but the rates, with the bands, move within their margin.
        let changes = ReportModel.changes([point(100, rate: 110, rateMoe: 4), point(120, rate: 112, rateMoe: 4)])
        #expect(changes.first?.verdict == .reporting)
        let real = ReportModel.changes([point(100, rate: 110, rateMoe: 4), point(120, rate: 130, rateMoe: 4)])
        #expect(real.first?.verdict == .rise)
    }

    @Test func aRateMarginCarriesTheReportingBand() {
        // A 5-point band around 92.5 %: ± 2.7 % of the rate, combined with the noise's margin.
        let m = ReportModel.rateMargin(rate: 100, noise: 0, share: 2.5 / 92.5)
        #expect(abs(m - 2.7027) < 1e-3)
        #expect(abs(ReportModel.rateMargin(rate: 100, noise: 3, share: 0.04) - 5) < 1e-9)
    }
}

/// A pooled release given to a report replaces the sums of four quarterly releases.
@Suite struct PooledReportTests {
    /// A copy of `file` as a pooled release over `span` whose totals are `totals` (country, A, B).
    func pooled(from file: String, span: String, totals: (Int, Int, Int), moe: Double) throws -> String {
        var data = try ReleaseReader.read(file)
        let values = ["ALL": totals.0, "RA": totals.1, "RB": totals.2, "PA": totals.1, "PB": totals.2]
        for (i, m) in data.metadata.enumerated() {
            if m.key == "period" { data.metadata[i].value = span }
            if m.key == "release_id" { data.metadata[i].value = span + "-R1" }
        }
        for i in data.rows.indices {
            data.rows[i].period = span
            if data.rows[i].tableName == "total", let v = values[data.rows[i].geoCode] {
                data.rows[i].value = v
                data.rows[i].moe95 = moe
                data.rows[i].status = .published
            }
        }
        for i in data.coverage.indices { data.coverage[i].period = span }
        let path = file + "-pooled.sqlite"
        try ReleaseFile.write(data, to: path)
        return path
    }

    @Test func aPooledReleaseReplacesTheSumsAndIsNamed() throws {
        let files = try KnownReleases([(100, 60, 40), (100, 60, 40), (100, 60, 40), (100, 60, 40)]).files
        let path = try pooled(from: files[3], span: "2025-Q4..2026-Q3", totals: (410, 250, 160), moe: 4)
        let m = try ReportModel.build(releases: files + [path])
        #expect(m.pooledRelease == "2025-Q4..2026-Q3-R1")
        #expect(m.periods.count == 4, "the pooled release is not a quarter of the trend")
        let country = try #require(m.pooled.first { $0.code == "ALL" })
        #expect(country.persons.value == 410 && country.persons.moe95 == 4, "the release's own figure, not 4 × 100 ± 10")
        let r = ReportRenderer(model: m, strings: try ReportStrings(language: "en"))
        #expect(r.markdown().contains("Pooled figures from the release 2025-Q4..2026-Q3-R1"))
        // Without it, the four quarterly releases are summed: 400 ± 10.
        let summed = try ReportModel.build(releases: files)
        #expect(summed.pooled.first { $0.code == "ALL" }?.persons.value == 400 && summed.pooledRelease == nil)
        // A pooled release over other quarters is refused with what to make instead.
        let other = try pooled(from: files[2], span: "2025-Q3..2026-Q2", totals: (1, 1, 0), moe: 4)
        #expect(throws: QueryError.self) { _ = try ReportModel.build(releases: files + [other]) }
        #expect(throws: QueryError.self) { _ = try ReportModel.build(releases: [path]) }
    }
}

/// Falls are notable as rises are, against the same expectation.
@Suite struct NotableFallTests {
    @Test func aFallBeyondTheMarginIsNotableAndAFlatUnitInAFallingCountryRises() throws {
        // The country falls from 100 to 70; region A from 50 to 20 (below the 35 the national
        // trend leads one to expect); region B stays at 50 (above it).
        let m = try ReportModel.build(
            releases: try KnownReleases([(100, 50, 50), (100, 50, 50), (100, 50, 50), (100, 50, 50), (70, 20, 50)]).files)
        #expect(m.notableFalls.map(\.code) == ["ALL", "RA"] || m.notableFalls.map(\.code) == ["RA", "ALL"])
        #expect(m.notable.map(\.code) == ["RB"])
        let r = ReportRenderer(model: m, strings: try ReportStrings(language: "en"))
        #expect(r.markdown().contains("### Notable falls") && r.markdown().contains("Whole country: 70 (−30.0 ±"))
        #expect(r.csv().contains("notable_fall,RA,Region A,"))
        let flat = try ReportModel.build(releases: try KnownReleases([(100, 50, 50), (100, 50, 50), (100, 50, 50), (98, 49, 49)]).files)
        #expect(flat.notableFalls.isEmpty)
        #expect(ReportRenderer(model: flat, strings: try ReportStrings(language: "es")).html().contains("Ninguna zona quedó por debajo"))
    }
}

/// The report's stage and sector section: figures from `domain_cells`, rates per 10,000 pupils of
/// the part from `domain_units`, withheld parts flagged and without a rate.
@Suite struct DomainReportTests {
    @Test func theAreaIsBrokenDownByStageWithRatesPerPupilsOfTheStage() throws {
        let file = try #require(try KnownReleases([(100, 60, 40)], withheld: .complementary, cells: .smallArea).files.first)
        var data = try ReleaseReader.read(file)
        let period = data.rows[0].period
        func row(_ domain: String, _ value: Int?, _ status: CellStatus) -> DomainRow {
            DomainRow(
                row: ReleaseRow(
                    period: period, level: .country, geoCode: "ALL", geoName: "All", tableName: "total", cell: "persons", value: value,
                    moe95: value == nil ? nil : 10, status: status), dimension: "stage", domain: domain)
        }
        data.domainRows = [row("primary", 60, .published), row("secondary", 40, .published), row("special", nil, .smallArea)]
        data.domainUnits = [
            DomainUnitRow(
                level: .country, geoCode: "ALL", dimension: "stage", domain: "primary", registeredSchools: 50, registeredEnrolment: 100_000),
            DomainUnitRow(
                level: .country, geoCode: "ALL", dimension: "stage", domain: "secondary", registeredSchools: 20, registeredEnrolment: 50_000
            ),
            DomainUnitRow(
                level: .country, geoCode: "ALL", dimension: "stage", domain: "special", registeredSchools: 3, registeredEnrolment: 900),
        ]
        let path = file + "-domains.sqlite"
        try ReleaseFile.write(data, to: path)
        let model = try ReportModel.build(releases: [path])
        let stage = try #require(model.domainBreakdowns.first { $0.key == "stage" })
        #expect(stage.categories.map(\.code) == ["primary", "secondary", "special"])
        let share = ReportModel.rateShare(data, .country, "ALL")?.share ?? 1
        let primary = stage.categories[0]
        #expect(abs((primary.rate ?? 0) - 60 / (100_000 * share) * 10_000) < 1e-9)
        #expect((primary.rateMoe95 ?? 0) >= 10 / (100_000 * share) * 10_000 - 1e-9)
        #expect(stage.categories[2].rate == nil && stage.categories[2].figure.status == "small_area")
        #expect(primary.label == "Primary")
        let md = ReportRenderer(model: model, strings: try ReportStrings(language: "en")).markdown()
        #expect(md.contains("By school stage and sector"))
        #expect(md.contains("Special education"))
        let csv = ReportRenderer(model: model, strings: try ReportStrings(language: "en")).csv()
        #expect(csv.contains("domain_stage,ALL"))
        let es = try ReportModel.build(releases: [path], language: "es")
        #expect(es.domainBreakdowns[0].categories[0].label == "Primaria")
        // The section names the small-area flag of its language.
        #expect(md.contains("not published on its own (s)"))
        let esMd = ReportRenderer(model: es, strings: try ReportStrings(language: "es")).markdown()
        #expect(esMd.contains("no se publica por separado (a)"))
    }

    /// A split's withheld parts share what its published parts leave of the unit's total, each
    /// within what its status says; the report shows that range (the reader's own derivation).
    @Test func withheldPartsShowWhatTheirSplitImplies() {
        func part(_ code: String, _ value: Int?, _ status: String) -> DomainCategory {
            DomainCategory(
                code: code, label: code, figure: Figure(value: value, moe95: value == nil ? nil : 14, status: status), pupils: 1000)
        }
        var two = [part("a", 348, "published"), part("b", 351, "published"), part("c", 261, "published")]
        two += [part("d", nil, "complementary"), part("e", nil, "complementary")]
        ReportModel.narrowWithheldParts(&two, unitTotal: 975, k: 5)
        // 15 left for two values of 5 or more: each 5 to 10.
        #expect(two[3].figure.lower == 5 && two[3].figure.upper == 10)
        #expect(two[4].figure.lower == 5 && two[4].figure.upper == 10)
        var mixed = [part("a", 100, "published"), part("b", nil, "below_k"), part("c", nil, "complementary")]
        ReportModel.narrowWithheldParts(&mixed, unitTotal: 112, k: 5)
        // 12 left: the value below k takes 0 to 4, so the complementary one 8 to 12.
        #expect(mixed[2].figure.lower == 8 && mixed[2].figure.upper == 12)
        #expect(mixed[1].figure.lower == nil)  // "fewer than 5" stays as its status says
        // A small part with no bound above leaves the others open: nothing is narrowed above.
        var open = [part("a", 100, "published"), part("b", nil, "small_area"), part("c", nil, "complementary")]
        ReportModel.narrowWithheldParts(&open, unitTotal: 130, k: 5)
        #expect(open[2].figure.lower == 5 && open[2].figure.upper == 30)
        #expect(open[1].figure.lower == 0 && open[1].figure.upper == 25)
    }

    /// A range is ranked only where it fits whole between two rates; one that straddles a rate
    /// (the bulletin's La Rioja: 7.9–12.5 ranked second by its middle, its truth the lowest) or
    /// is open is not ranked and comes last, named in the comparison's note.
    @Test func aRangeIsRankedOnlyWhereItFitsWhole() throws {
        // 10,000 pupils each: a figure of n persons is a rate of n.
        func unit(_ code: String, _ value: Int?, _ lower: Int? = nil, _ upper: Int? = nil) -> Series {
            var p = Point(
                period: "2026-Q3",
                persons: Figure(
                    value: value, moe95: value == nil ? nil : 1, status: value == nil ? "suppressed" : "published", lower: lower,
                    upper: upper),
                registeredSchools: 100, registeredEnrolment: 10_000, coverage: .withheld)
            p.ratePupils = 10_000
            if let value { p.rate = Double(value) }
            return Series(code: code, name: "Unit " + code, points: [p])
        }
        let units = [
            unit("A", 10), unit("B", 5), unit("C", 2), unit("D", nil, 6, 8), unit("E", nil, 4, 12), unit("F", nil, 1, 1),
            unit("G", nil, 0, nil), unit("H", nil, 3, 4), unit("I", nil, 3, 4),
        ]
        let (ranked, unranked) = ReportModel.rankedAndUnranked(units)
        // D between A and B; F below C; H and I share a slot and overlap: not ranked between themselves.
        #expect(ranked.map(\.code) == ["A", "D", "B", "C", "F"])
        #expect(unranked.map(\.code) == ["E", "G", "H", "I"])
        #expect(ReportModel.ranking(units).map(\.code) == ["A", "D", "B", "C", "F", "E", "G", "H", "I"])
    }
}
