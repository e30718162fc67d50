import Foundation
import MosaicText

/// The registry CSV format: one row per school.
///
/// Columns, in any order, all required, no others:
/// `school_id,school_name,region_code,region_name,province_code,province_name,`
/// `municipality_code,municipality_name,enrolment,stage,sector`. Municipality columns may be
/// empty (both together). A region code always carries the same name; a province code always
/// carries the same name and region.
public enum RegistryFile {
    /// The columns, in the order ``write(_:)`` uses.
    public static let columns = [
        "school_id", "school_name", "region_code", "region_name", "province_code", "province_name",
        "municipality_code", "municipality_name", "enrolment", "stage", "sector",
    ]

    /// The largest enrolment accepted for one school.
    public static let maximumEnrolment = 100_000

    /// Parses and checks a registry file.
    ///
    /// - Parameters:
    ///   - bytes: the file's content.
    ///   - file: the name used in error messages.
    /// - Throws: ``RegistryError`` naming the file, line and field of the first problem.
    public static func parse(_ bytes: [UInt8], file: String) throws -> [School] {
        func fail(_ line: Int, _ field: String?, _ message: String) -> RegistryError {
            RegistryError(file: file, line: line, field: field, message: message)
        }
        var reader: CSVReader
        do { reader = try CSVReader(bytes: bytes) } catch let e as CSVError {
            throw fail(e.line, nil, e.message)
        }
        var header: CSVRecord?
        do {
            while let r = try reader.next() {
                if !r.isBlank {
                    header = r
                    break
                }
            }
        } catch let e as CSVError { throw fail(e.line, nil, e.message) }
        guard let header else { throw fail(1, nil, "the file is empty") }
        var position: [String: Int] = [:]
        for (i, name) in header.fields.enumerated() {
            let name = name.trimmingCharacters(in: .whitespaces)
            guard columns.contains(name) else {
                throw fail(
                    header.line, nil, "unexpected column '\(String(name.prefix(40)))' (expected exactly: \(columns.joined(separator: ",")))"
                )
            }
            guard position[name] == nil else { throw fail(header.line, name, "column appears twice") }
            position[name] = i
        }
        if let missing = columns.first(where: { position[$0] == nil }) {
            throw fail(header.line, missing, "missing column")
        }
        var rows = RegistryRows(file: file, position: position)
        var schools: [School] = []
        do {
            while let r = try reader.next() {
                if r.isBlank { continue }
                schools.append(try rows.school(r))
            }
        } catch let e as CSVError { throw fail(e.line, nil, e.message) }
        guard !schools.isEmpty else { throw fail(header.line, nil, "the file lists no school") }
        return schools
    }

    /// Writes schools in the registry format.
    public static func write(_ schools: [School]) -> String {
        var w = CSVWriter()
        w.write(columns)
        for s in schools {
            w.write([
                s.id, s.name, s.regionCode, s.regionName, s.provinceCode, s.provinceName, s.municipalityCode,
                s.municipalityName, String(s.enrolment), s.stage.rawValue, s.sector.rawValue,
            ])
        }
        return w.text
    }
}

/// A problem in a registry file, with where it is.
public struct RegistryError: Error, LocalizedError, Equatable, Sendable {
    /// The file, as given.
    public var file: String
    /// The 1-based line, when the problem sits on one line.
    public var line: Int
    /// The column (CSV) or key (JSON) at fault, if one.
    public var field: String?
    /// What is wrong, in words; never the offending value.
    public var message: String

    /// A message for people: what went wrong and, where it helps, what to do.
    public var errorDescription: String? {
        "\(file):\(line): " + (field.map { "field '\($0)': " } ?? "") + message
    }
}

/// The rows of a registry file, checked one at a time and against each other (one name per
/// region and per province, one region per province, one row per school).
struct RegistryRows {
    let file: String
    let position: [String: Int]
    var seen: [String: Int] = [:]
    var regionNames: [String: (String, Int)] = [:]
    var provinces: [String: (name: String, region: String, line: Int)] = [:]

    init(file: String, position: [String: Int]) {
        self.file = file
        self.position = position
    }

    func fail(_ line: Int, _ field: String?, _ message: String) -> RegistryError {
        RegistryError(file: file, line: line, field: field, message: message)
    }

    /// The school on row `r`.
    mutating func school(_ r: CSVRecord) throws -> School {
        guard r.fields.count == RegistryFile.columns.count else {
            throw fail(r.line, nil, "expected \(RegistryFile.columns.count) fields, found \(r.fields.count)")
        }
        func value(_ c: String) -> String { r.fields[position[c] ?? 0].trimmingCharacters(in: .whitespaces) }
        func identifier(_ c: String) throws -> String {
            let v = value(c)
            guard Identifier.isValid(v) else {
                throw fail(r.line, c, v.isEmpty ? "is empty" : "must be 1 to 40 letters, digits, '-' or '_'")
            }
            return v
        }
        func name(_ c: String) throws -> String {
            let v = value(c)
            guard !v.isEmpty else { throw fail(r.line, c, "is empty") }
            guard v.count <= 200 else { throw fail(r.line, c, "is longer than 200 characters") }
            guard
                !v.unicodeScalars.contains(where: { s in
                    s.value < 0x20 || (0x7F...0x9F).contains(s.value) || s.value == 0x200E || s.value == 0x200F
                        || (0x202A...0x202E).contains(s.value) || (0x2066...0x2069).contains(s.value)
                })
            else {
                throw fail(r.line, c, "holds a control character")
            }
            // A name a spreadsheet would run as a formula when a report's CSV is opened.
            guard let first = v.first, !"=+-@".contains(first) else {
                throw fail(r.line, c, "starts with '\(v.prefix(1))', which spreadsheets read as a formula: remove that character")
            }
            return v
        }
        let id = try identifier("school_id")
        if let first = seen[id] { throw fail(r.line, "school_id", "repeats the school of line \(first)") }
        seen[id] = r.line
        let regionCode = try identifier("region_code")
        let regionName = try name("region_name")
        let provinceCode = try identifier("province_code")
        let provinceName = try name("province_name")
        if let (known, line) = regionNames[regionCode], known != regionName {
            throw fail(r.line, "region_name", "differs from the name given to this region on line \(line)")
        }
        regionNames[regionCode] = regionNames[regionCode] ?? (regionName, r.line)
        if let p = provinces[provinceCode] {
            if p.name != provinceName {
                throw fail(r.line, "province_name", "differs from the name given to this province on line \(p.line)")
            }
            if p.region != regionCode {
                throw fail(r.line, "region_code", "differs from the region given to this province on line \(p.line)")
            }
        } else {
            provinces[provinceCode] = (provinceName, regionCode, r.line)
        }
        let mCode = value("municipality_code")
        let mName = value("municipality_name")
        if mCode.isEmpty != mName.isEmpty {
            throw fail(
                r.line, mCode.isEmpty ? "municipality_code" : "municipality_name", "give both municipality columns or neither")
        }
        if !mCode.isEmpty, !Identifier.isValid(mCode) {
            throw fail(r.line, "municipality_code", "must be 1 to 40 letters, digits, '-' or '_'")
        }
        guard let enrolment = Int(value("enrolment")), (0...RegistryFile.maximumEnrolment).contains(enrolment) else {
            throw fail(r.line, "enrolment", "must be a whole number from 0 to \(RegistryFile.maximumEnrolment)")
        }
        guard let stage = School.Stage(rawValue: value("stage")) else {
            throw fail(r.line, "stage", "must be one of \(School.Stage.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let sector = School.Sector(rawValue: value("sector")) else {
            throw fail(r.line, "sector", "must be one of \(School.Sector.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return School(
            id: id, name: try name("school_name"), regionCode: regionCode, regionName: regionName,
            provinceCode: provinceCode, provinceName: provinceName, municipalityCode: mCode,
            municipalityName: mName, enrolment: enrolment, stage: stage, sector: sector)
    }
}
