/// The form's style sheet: inline, allowed by its hash. Readable at phone width, printable.
enum FormStyle {
    static let source = #"""
        :root { --ink: #1a1a1a; --muted: #555; --line: #c8c8c8; --accent: #0b5cad; --bad: #a4161a; --bg: #fff; }
        * { box-sizing: border-box; }
        body { margin: 0 auto; max-width: 60rem; padding: 1rem; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
        h1 { font-size: 1.5rem; margin: 0; }
        h2 { font-size: 1.15rem; margin: 1.5rem 0 0.25rem; }
        .top { display: flex; justify-content: space-between; align-items: center; gap: 1rem; flex-wrap: wrap; }
        button { font: inherit; padding: 0.5rem 1rem; border: 1px solid var(--accent); border-radius: 4px; background: #fff; color: var(--accent); cursor: pointer; }
        button.primary { background: var(--accent); color: #fff; }
        button[aria-disabled="true"] { background: #eee; color: #666; border-color: #bbb; cursor: not-allowed; }
        button:focus-visible, input:focus-visible, select:focus-visible, a:focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
        .warning { border-left: 4px solid #d08c00; background: #fff7e6; padding: 0.5rem 0.75rem; }
        .note { color: var(--muted); font-size: 0.9rem; margin: 0.25rem 0; }
        .controls, .nothing-box { margin: 1rem 0; }
        .nothing-box { padding: 0.75rem; border: 1px solid var(--line); border-radius: 4px; }
        .nothing-box input { width: 1.2rem; height: 1.2rem; vertical-align: middle; margin-right: 0.5rem; }
        select { font: inherit; padding: 0.3rem; max-width: 100%; }
        .grid-wrap { overflow-x: auto; margin: 0.5rem 0; }
        table.grid { border-collapse: collapse; }
        table.grid caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
        table.grid th, table.grid td { border-bottom: 1px solid var(--line); padding: 0.25rem 0.5rem; text-align: left; vertical-align: middle; }
        table.grid thead th { font-size: 0.9rem; color: var(--muted); font-weight: 600; }
        table.grid tbody th { font-weight: normal; min-width: 10rem; }
        table.grid input { width: 5rem; font: inherit; padding: 0.3rem; text-align: right; border: 1px solid #888; border-radius: 3px; }
        table.grid input[aria-invalid="true"] { border: 2px solid var(--bad); background: #fff0f0; }
        table.grid input:disabled { background: #f2f2f2; }
        .cell-error { display: block; color: var(--bad); font-size: 0.8rem; max-width: 9rem; line-height: 1.2; }
        .cell-error:empty { display: none; }
        #summary { font-weight: 600; }
        .record-table h3 { font-size: 1rem; margin: 0.75rem 0 0.25rem; }
        .running-total { font-weight: 600; }
        #problems { border: 2px solid var(--bad); border-radius: 4px; padding: 0.25rem 1rem; margin: 1rem 0; }
        #problems h2 { color: var(--bad); margin-top: 0.5rem; }
        #problems a { color: var(--bad); }
        #ready { color: #1b6e20; font-weight: 600; }
        .actions button { margin: 0.25rem 0.5rem 0.25rem 0; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        body.nothing #tables { opacity: 0.5; }
        #record { display: none; }
        @media (max-width: 30rem) {
          body { padding: 0.5rem; }
          table.grid { width: 100%; }
          table.grid tbody th { min-width: 0; font-size: 0.9rem; }
          table.grid thead th { font-size: 0.8rem; }
          table.grid input { width: 3.2rem; }
          table.grid th, table.grid td { padding: 0.2rem 0.2rem; }
          .cell-error { max-width: 4.5rem; }
        }
        @media print {
          header .warning, #lang, .actions, .nothing-box .note, #unsupported { display: none; }
          #record { display: block; }
          #tables, .controls, .nothing-box { display: none; }
        }
        """#
}
