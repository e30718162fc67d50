import Testing

@testable import MosaicRegistry

@Suite struct RegistryFileTests {
    static let header =
        "school_id,school_name,region_code,region_name,province_code,province_name,municipality_code,municipality_name,enrolment,stage,sector"

    func parse(_ rows: [String], header: String = RegistryFileTests.header) throws -> [School] {
        try RegistryFile.parse(Array(([header] + rows).joined(separator: "\n").utf8), file: "reg.csv")
    }

    @Test func readsSchoolsWithOrWithoutMunicipality() throws {
        let schools = try parse([
            "S1,Colegio Uno,R1,Región Uno,P1,Provincia Uno,M1,Villa,320,primary,public",
            "S2,\"Instituto Dos, Sur\",R1,Región Uno,P1,Provincia Uno,,,900,secondary,charter",
        ])
        #expect(schools.count == 2)
        #expect(schools[0].municipalityCode == "M1")
        #expect(schools[1].name == "Instituto Dos, Sur")
        #expect(schools[1].municipalityCode.isEmpty)
        #expect(schools[1].sector == .charter)
    }

    @Test func acceptsColumnsInAnyOrder() throws {
        let cols = RegistryFileTests.header.split(separator: ",").map(String.init)
        let reversed = cols.reversed().joined(separator: ",")
        let row = "public,primary,10,,,Prov,P1,Reg,R1,Name,S1"
        #expect(try parse([row], header: reversed)[0].id == "S1")
    }

    @Test func roundTripsThroughWrite() throws {
        let schools = try parse(["S1,Colegio Uno,R1,Región Uno,P1,Provincia Uno,M1,Villa,320,primary,public"])
        let again = try RegistryFile.parse(Array(RegistryFile.write(schools).utf8), file: "x")
        #expect(again == schools)
    }

    @Test(
        arguments: [
            (
                ["S1,N,R1,RN,P1,PN,,,10,primary,public", "S1,N,R1,RN,P1,PN,,,10,primary,public"], 3, "school_id",
                "repeats the school of line 2"
            ),
            (["S 1,N,R1,RN,P1,PN,,,10,primary,public"], 2, "school_id", "letters, digits"),
            (["S1,N,R1,RN,P1,PN,,,ten,primary,public"], 2, "enrolment", "whole number"),
            (["S1,N,R1,RN,P1,PN,,,-4,primary,public"], 2, "enrolment", "whole number"),
            (["S1,N,R1,RN,P1,PN,,,10,nursery,public"], 2, "stage", "must be one of"),
            (["S1,N,R1,RN,P1,PN,,,10,primary,state"], 2, "sector", "must be one of"),
            (["S1,N,R1,RN,P1,PN,M1,,10,primary,public"], 2, "municipality_name", "both"),
            (["S1,,R1,RN,P1,PN,,,10,primary,public"], 2, "school_name", "is empty"),
            (["S1,N,R1,RN,P1,PN,,,10,primary,public", "S2,N,R1,Other,P2,PN2,,,10,primary,public"], 3, "region_name", "differs"),
            (
                ["S1,N,R1,RN,P1,PN,,,10,primary,public", "S2,N,R2,RN2,P1,PN,,,10,primary,public"], 3, "region_code",
                "differs from the region"
            ),
        ] as [([String], Int, String, String)])
    func refusesBadRowsNamingLineAndField(rows: [String], line: Int, field: String, message: String) {
        do {
            _ = try parse(rows)
            Issue.record("accepted a bad registry")
        } catch let e as RegistryError {
            #expect(e.line == line)
            #expect(e.field == field)
            #expect(e.message.contains(message), "\(e.message)")
            #expect(e.localizedDescription.hasPrefix("reg.csv:\(line): field '\(field)'"))
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func refusesMissingAndExtraColumns() {
        #expect(throws: RegistryError.self) { _ = try parse(["S1"], header: "school_id") }
        #expect(throws: RegistryError.self) { _ = try parse([], header: RegistryFileTests.header + ",notes") }
    }

    @Test func refusesAFileWithNoSchool() {
        #expect(throws: RegistryError.self) { _ = try parse([]) }
    }
}
