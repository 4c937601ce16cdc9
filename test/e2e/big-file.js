// A Go file of at least 4,000 lines for the editor latency measurements: net/http's
// server.go from the installed Go standard library when there is one (real code, 3,600
// lines), topped up with generated handlers; entirely generated otherwise. One function
// leaks a connection, so the file always has a diagnostic to wait for.
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");

const LEAK = `
// dialStatus is the one leak in this file: the connection is never closed.
func dialStatus(addr string) (string, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return "", err
	}
	return c.RemoteAddr().String(), nil
}
`;

function handler(i) {
	return `
// handler${i} reads a user record; everything it opens is closed.
func handler${i}(w ResponseWriter, r *Request, db *sql.DB) {
	rows, err := db.QueryContext(r.Context(), "SELECT id, name FROM users WHERE shard = $1", ${i})
	if err != nil {
		Error(w, err.Error(), StatusInternalServerError)
		return
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var id int
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			Error(w, err.Error(), StatusInternalServerError)
			return
		}
		names = append(names, fmt.Sprintf("%d:%s", id, name))
	}
	resp, err := Get("http://127.0.0.1/audit/${i}")
	if err != nil {
		return
	}
	defer resp.Body.Close()
	switch {
	case len(names) == 0:
		w.WriteHeader(StatusNoContent)
	case len(names) > 100:
		w.WriteHeader(StatusRequestEntityTooLarge)
	default:
		fmt.Fprintln(w, strings.Join(names, ","))
	}
}
`;
}

function goRoot() {
	for (const dir of fs.existsSync("/usr/share") ? fs.readdirSync("/usr/share").filter((d) => /^go-\d/.test(d)).sort().reverse() : []) {
		const root = path.join("/usr/share", dir);
		if (fs.existsSync(path.join(root, "src", "net", "http", "server.go"))) return root;
	}
	try {
		return execFileSync("go", ["env", "GOROOT"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
	} catch {
		return undefined;
	}
}

/** Writes the file and returns where its text came from and its line count. */
function writeBigGoFile(file, minLines = 4000) {
	const root = goRoot();
	const stdlib = root && path.join(root, "src", "net", "http", "server.go");
	let text;
	let origin;
	if (stdlib && fs.existsSync(stdlib)) {
		// The generated handlers need database/sql; server.go imports the rest (net, fmt, strings).
		text = fs.readFileSync(stdlib, "utf8").replace(/^import \(\n/m, 'import (\n\t"database/sql"\n');
		origin = `${stdlib} (${text.split("\n").length} lines) + generated handlers`;
	} else {
		// A comment first: the keystroke measurement types into line 1.
		text = '// A stand-in for net/http/server.go.\npackage http\n\nimport (\n\t"database/sql"\n\t"fmt"\n\t"net"\n\t"strings"\n)\n';
		origin = "generated";
	}
	text += LEAK;
	for (let i = 0; text.split("\n").length < minLines; i++) text += handler(i);
	fs.mkdirSync(path.dirname(file), { recursive: true });
	fs.writeFileSync(file, text);
	return { origin, lines: text.split("\n").length };
}

module.exports = { writeBigGoFile };
