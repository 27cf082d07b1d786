// Command ldcheck is an independent interoperability checker for liandan's
// checkpoints and Merkle proofs (DESIGN.md §4.4).
//
// liandan implements RFC 6962 hashing and C2SP signed notes in C. This
// program checks the same bytes with a second, independent implementation,
// Go's golang.org/x/mod/sumdb/note and sumdb/tlog (the code behind
// sum.golang.org), so that a byte-level difference between our C and the
// reference shows up as a failing test rather than in an auditor's hands.
//
// Usage:
//
//	ldcheck note VKEYFILE NOTEFILE
//	    verify a checkpoint; print "ok ORIGIN SIZE ROOTB64"
//	ldcheck inclusion VKEYFILE NOTEFILE PROOF.json ENTRYFILE
//	    verify an inclusion proof of ENTRYFILE's bytes against the checkpoint
//	ldcheck consistency VKEYFILE OLDNOTE NEWNOTE PROOF.json
//	    verify a consistency proof between two checkpoints of the same log
//	ldcheck sign-vectors
//	    self-test on $LIANDAN_SHARED/vectors/signed-note/signed_note_vectors.json
//	ldcheck rfc6962-vectors
//	    self-test on $LIANDAN_SHARED/vectors/rfc6962/merkle_8leaf_all_proofs.json
//
// VKEYFILE holds one verifier key line (NAME+KEYHASH+BASE64). ENTRYFILE must
// hold exactly the entry bytes (JCS, no trailing newline). Exit status is 0
// on success, 1 on a failed check (message on stderr), 2 on bad usage.
//
// Proof order: tlog's RecordProof and TreeProof list hashes bottom-up (the
// sibling of the leaf, or the deepest subtree, first), which is exactly the
// order of RFC 6962 PATH and PROOF/SUBPROOF: both recurse first and append
// the hash of the higher-level sibling afterwards. So liandan's proof arrays
// are passed to tlog unchanged; rfc6962-vectors checks that tlog's own
// ProveRecord/ProveTree produce the vector arrays element for element, and
// that reversed proofs are rejected.
//
// One deliberate difference: tlog.TreeHash defines the empty tree's hash as
// 32 zero bytes, while RFC 6962 (and liandan) use SHA-256(""). ldcheck uses
// the RFC value for size 0 (see rootOf).
//
// Build without network, in GOPATH mode against Debian's packages
// (golang-go, golang-golang-x-mod-dev): see tests/interop/build-ldcheck.sh.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	cmd, args := os.Args[1], os.Args[2:]
	var out string
	var err error
	switch {
	case cmd == "note" && len(args) == 2:
		var c checkpoint
		if c, err = openCheckpoint(args[0], args[1]); err == nil {
			out = fmt.Sprintf("ok %s %d %s", c.origin, c.size, c.root)
		}
	case cmd == "inclusion" && len(args) == 4:
		err = checkInclusion(args[0], args[1], args[2], args[3])
		out = "ok"
	case cmd == "consistency" && len(args) == 4:
		err = checkConsistency(args[0], args[1], args[2], args[3])
		out = "ok"
	case cmd == "sign-vectors" && len(args) == 0:
		var n int
		n, err = signVectors()
		out = fmt.Sprintf("ok %d", n)
	case cmd == "rfc6962-vectors" && len(args) == 0:
		var n int
		n, err = rfc6962Vectors()
		out = fmt.Sprintf("ok %d", n)
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "ldcheck %s: %v\n", cmd, err)
		os.Exit(1)
	}
	fmt.Println(out)
}

func usage() {
	fmt.Fprint(os.Stderr, `usage: ldcheck note VKEYFILE NOTEFILE
       ldcheck inclusion VKEYFILE NOTEFILE PROOF.json ENTRYFILE
       ldcheck consistency VKEYFILE OLDNOTE NEWNOTE PROOF.json
       ldcheck sign-vectors
       ldcheck rfc6962-vectors
`)
	os.Exit(2)
}

// checkpoint is a parsed C2SP tlog-checkpoint body.
type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
}

// openCheckpoint verifies NOTEFILE with the key in VKEYFILE and parses it.
func openCheckpoint(vkeyFile, noteFile string) (checkpoint, error) {
	vkey, err := os.ReadFile(vkeyFile)
	if err != nil {
		return checkpoint{}, err
	}
	v, err := note.NewVerifier(strings.TrimSuffix(string(vkey), "\n"))
	if err != nil {
		return checkpoint{}, fmt.Errorf("%s: %v", vkeyFile, err)
	}
	msg, err := os.ReadFile(noteFile)
	if err != nil {
		return checkpoint{}, err
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return checkpoint{}, fmt.Errorf("%s: %v", noteFile, err)
	}
	c, err := parseCheckpoint(n.Text)
	if err != nil {
		return checkpoint{}, fmt.Errorf("%s: %v", noteFile, err)
	}
	return c, nil
}

// parseCheckpoint parses "ORIGIN\nSIZE\nBASE64(root)\n" followed by optional
// non-empty extension lines, which are ignored. note.Open guarantees that
// text ends with "\n". SIZE must be canonical decimal (no sign, no leading
// zeros) and the root canonical base64 of 32 bytes, so that exactly one
// text encodes each (origin, size, root).
func parseCheckpoint(text string) (checkpoint, error) {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 || lines[0] == "" {
		return checkpoint{}, errors.New("checkpoint: want origin, size and root lines")
	}
	for _, ext := range lines[3:] {
		if ext == "" {
			return checkpoint{}, errors.New("checkpoint: empty extension line")
		}
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return checkpoint{}, fmt.Errorf("checkpoint: bad tree size %q", lines[1])
	}
	root, err := parseHash(lines[2])
	if err != nil {
		return checkpoint{}, fmt.Errorf("checkpoint: %v", err)
	}
	return checkpoint{lines[0], size, root}, nil
}

// parseHash decodes canonical padded base64 of exactly 32 bytes. (Go's
// decoder skips '\r' and '\n' and tolerates nonzero trailing bits, so the
// result is re-encoded and compared.)
func parseHash(s string) (tlog.Hash, error) {
	var h tlog.Hash
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != tlog.HashSize || base64.StdEncoding.EncodeToString(b) != s {
		return h, fmt.Errorf("malformed hash %q", s)
	}
	copy(h[:], b)
	return h, nil
}

func parseHashes(ss []string) ([]tlog.Hash, error) {
	hs := make([]tlog.Hash, len(ss))
	for i, s := range ss {
		var err error
		if hs[i], err = parseHash(s); err != nil {
			return nil, err
		}
	}
	return hs, nil
}

// readProof decodes a proof file into v, insisting that it has exactly
// the given (non-null) fields: a liandan proof is a fixed contract.
func readProof(file string, v interface{}, fields ...string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("%s: %v", file, err)
	}
	for _, f := range fields {
		if raw, ok := m[f]; !ok || string(raw) == "null" {
			return fmt.Errorf("%s: missing %q", file, f)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %v", file, err)
	}
	return nil
}

// checkInclusion: the entry's RFC 6962 leaf hash is at leaf_index in the
// tree committed to by the checkpoint.
func checkInclusion(vkeyFile, noteFile, proofFile, entryFile string) error {
	c, err := openCheckpoint(vkeyFile, noteFile)
	if err != nil {
		return err
	}
	var p struct {
		LeafIndex int64    `json:"leaf_index"`
		TreeSize  int64    `json:"tree_size"`
		LeafHash  string   `json:"leaf_hash"`
		Inclusion []string `json:"inclusion"`
	}
	if err := readProof(proofFile, &p, "leaf_index", "tree_size", "leaf_hash", "inclusion"); err != nil {
		return err
	}
	if p.TreeSize != c.size {
		return fmt.Errorf("proof tree_size %d != checkpoint size %d", p.TreeSize, c.size)
	}
	leaf, err := parseHash(p.LeafHash)
	if err != nil {
		return fmt.Errorf("%s: leaf_hash: %v", proofFile, err)
	}
	entry, err := os.ReadFile(entryFile)
	if err != nil {
		return err
	}
	if rh := tlog.RecordHash(entry); rh != leaf {
		return fmt.Errorf("leaf_hash %s != RecordHash(%s) %s", leaf, entryFile, rh)
	}
	proof, err := parseHashes(p.Inclusion)
	if err != nil {
		return fmt.Errorf("%s: inclusion: %v", proofFile, err)
	}
	if err := tlog.CheckRecord(proof, c.size, c.root, p.LeafIndex, leaf); err != nil {
		return fmt.Errorf("leaf %d in tree %d: %v", p.LeafIndex, c.size, err)
	}
	return nil
}

// checkConsistency: the newer checkpoint's tree extends the older one's.
func checkConsistency(vkeyFile, oldFile, newFile, proofFile string) error {
	oc, err := openCheckpoint(vkeyFile, oldFile)
	if err != nil {
		return err
	}
	nc, err := openCheckpoint(vkeyFile, newFile)
	if err != nil {
		return err
	}
	if oc.origin != nc.origin {
		return fmt.Errorf("origins differ: %q vs %q", oc.origin, nc.origin)
	}
	var p struct {
		OldSize     int64    `json:"old_size"`
		NewSize     int64    `json:"new_size"`
		OldRoot     string   `json:"old_root"`
		NewRoot     string   `json:"new_root"`
		Consistency []string `json:"consistency"`
	}
	if err := readProof(proofFile, &p, "old_size", "new_size", "old_root", "new_root", "consistency"); err != nil {
		return err
	}
	if p.OldSize != oc.size || p.NewSize != nc.size {
		return fmt.Errorf("proof sizes %d..%d != checkpoint sizes %d..%d", p.OldSize, p.NewSize, oc.size, nc.size)
	}
	if p.OldRoot != oc.root.String() || p.NewRoot != nc.root.String() {
		return errors.New("proof roots differ from checkpoint roots")
	}
	proof, err := parseHashes(p.Consistency)
	if err != nil {
		return fmt.Errorf("%s: consistency: %v", proofFile, err)
	}
	// CheckTree(p, t, th, n, h): tree t (new) with hash th contains tree n (old) with hash h.
	if err := tlog.CheckTree(proof, nc.size, nc.root, oc.size, oc.root); err != nil {
		return fmt.Errorf("tree %d -> %d: %v", oc.size, nc.size, err)
	}
	return nil
}

// vectorFile reads a file under $LIANDAN_SHARED/vectors into v.
func vectorFile(rel string, v interface{}) error {
	shared := os.Getenv("LIANDAN_SHARED")
	if shared == "" {
		return errors.New("LIANDAN_SHARED is not set")
	}
	data, err := os.ReadFile(filepath.Join(shared, "vectors", rel))
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

// signVectors checks every note in signed_note_vectors.json against its
// expected verdict, and each golden checkpoint: it verifies, parses to the
// stated size and root, its root is the RFC 6962 root of the 8-leaf
// reference tree, and Go's signer reproduces it byte for byte.
func signVectors() (int, error) {
	var v struct {
		Notes []struct {
			Name   string   `json:"name"`
			Vkeys  []string `json:"vkeys"`
			Note   string   `json:"note"`
			Expect string   `json:"expect"`
		} `json:"notes"`
		Golden struct {
			KeyName     string `json:"key_name"`
			Skey        string `json:"skey"`
			Vkey        string `json:"vkey"`
			Checkpoints []struct {
				TreeSize   int64  `json:"tree_size"`
				RootB64    string `json:"root_b64"`
				Text       string `json:"text"`
				SignedNote string `json:"signed_note"`
			} `json:"checkpoints"`
		} `json:"golden_checkpoints"`
	}
	if err := vectorFile("signed-note/signed_note_vectors.json", &v); err != nil {
		return 0, err
	}
	tree, err := referenceTree()
	if err != nil {
		return 0, err
	}
	count := 0
	for _, tc := range v.Notes {
		var vs []note.Verifier
		for _, k := range tc.Vkeys {
			vk, err := note.NewVerifier(k)
			if err != nil {
				return count, fmt.Errorf("%s: %v", tc.Name, err)
			}
			vs = append(vs, vk)
		}
		_, err := note.Open([]byte(tc.Note), note.VerifierList(vs...))
		if got := map[bool]string{true: "valid", false: "invalid"}[err == nil]; got != tc.Expect {
			return count, fmt.Errorf("%s: got %s (%v), want %s", tc.Name, got, err, tc.Expect)
		}
		count++
	}
	g := v.Golden
	verifier, err := note.NewVerifier(g.Vkey)
	if err != nil {
		return count, err
	}
	signer, err := note.NewSigner(g.Skey)
	if err != nil {
		return count, err
	}
	for _, cp := range g.Checkpoints {
		n, err := note.Open([]byte(cp.SignedNote), note.VerifierList(verifier))
		if err != nil {
			return count, fmt.Errorf("golden %d: %v", cp.TreeSize, err)
		}
		c, err := parseCheckpoint(n.Text)
		if err != nil {
			return count, fmt.Errorf("golden %d: %v", cp.TreeSize, err)
		}
		want, err := tree.rootOf(cp.TreeSize)
		if err != nil {
			return count, err
		}
		if n.Text != cp.Text || c.origin != g.KeyName || c.size != cp.TreeSize ||
			c.root.String() != cp.RootB64 || c.root != want {
			return count, fmt.Errorf("golden %d: checkpoint body mismatch", cp.TreeSize)
		}
		signed, err := note.Sign(&note.Note{Text: cp.Text}, signer)
		if err != nil || string(signed) != cp.SignedNote {
			return count, fmt.Errorf("golden %d: Go's signature differs from the vector", cp.TreeSize)
		}
		count++
	}
	return count, nil
}

// refTree is the RFC 6962 8-leaf reference tree, stored the tlog way.
type refTree struct {
	leaves [][]byte
	stored []tlog.Hash // indexed by tlog.StoredHashIndex
}

func (t *refTree) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		if x < 0 || x >= int64(len(t.stored)) {
			return nil, fmt.Errorf("stored hash %d out of range", x)
		}
		out[i] = t.stored[x]
	}
	return out, nil
}

// rootOf returns the RFC 6962 root of the first n leaves. tlog.TreeHash(0)
// is all zeros, but RFC 6962 §2.1 defines MTH({}) = SHA-256(""), as liandan
// (and the golden size-0 checkpoint) do.
func (t *refTree) rootOf(n int64) (tlog.Hash, error) {
	if n == 0 {
		return sha256.Sum256(nil), nil
	}
	return tlog.TreeHash(n, t)
}

// referenceTree builds the tree from leaf_inputs in merkle_8leaf_all_proofs.json.
func referenceTree() (*refTree, error) {
	var v struct {
		LeafInputs []string `json:"leaf_inputs"`
	}
	if err := vectorFile("rfc6962/merkle_8leaf_all_proofs.json", &v); err != nil {
		return nil, err
	}
	t := &refTree{}
	for i, s := range v.LeafInputs {
		data, err := hex.DecodeString(s)
		if err != nil {
			return nil, err
		}
		hs, err := tlog.StoredHashes(int64(i), data, t)
		if err != nil {
			return nil, err
		}
		t.leaves = append(t.leaves, data)
		t.stored = append(t.stored, hs...)
	}
	return t, nil
}

func hexHash(s string) (tlog.Hash, error) {
	var h tlog.Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != tlog.HashSize {
		return h, fmt.Errorf("malformed hex hash %q", s)
	}
	copy(h[:], b)
	return h, nil
}

func hexHashes(ss []string) ([]tlog.Hash, error) {
	hs := make([]tlog.Hash, len(ss))
	for i, s := range ss {
		var err error
		if hs[i], err = hexHash(s); err != nil {
			return nil, err
		}
	}
	return hs, nil
}

func equal(a, b []tlog.Hash) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func reversed(p []tlog.Hash) []tlog.Hash {
	r := make([]tlog.Hash, len(p))
	for i, h := range p {
		r[len(p)-1-i] = h
	}
	return r
}

// rfc6962Vectors runs every inclusion and consistency proof of the
// exhaustive 8-leaf vectors through tlog: the vector's hashes and roots
// match tlog's, tlog proves the same arrays in the same order, CheckRecord
// and CheckTree accept them as given, and reject them reversed (when that
// changes the array), so the bottom-up order is confirmed, not assumed.
func rfc6962Vectors() (int, error) {
	var v struct {
		Inclusion []struct {
			LeafIndex int64    `json:"leaf_index"`
			TreeSize  int64    `json:"tree_size"`
			LeafHash  string   `json:"leaf_hash"`
			Root      string   `json:"root"`
			Path      []string `json:"path"`
		} `json:"inclusion"`
		Consistency []struct {
			OldSize int64    `json:"old_size"`
			NewSize int64    `json:"new_size"`
			OldRoot string   `json:"old_root"`
			NewRoot string   `json:"new_root"`
			Proof   []string `json:"proof"`
		} `json:"consistency"`
	}
	if err := vectorFile("rfc6962/merkle_8leaf_all_proofs.json", &v); err != nil {
		return 0, err
	}
	t, err := referenceTree()
	if err != nil {
		return 0, err
	}
	count := 0
	for _, tc := range v.Inclusion {
		what := fmt.Sprintf("inclusion %d/%d", tc.LeafIndex, tc.TreeSize)
		leaf, err1 := hexHash(tc.LeafHash)
		root, err2 := hexHash(tc.Root)
		path, err3 := hexHashes(tc.Path)
		if err := firstErr(err1, err2, err3); err != nil {
			return count, fmt.Errorf("%s: %v", what, err)
		}
		if tc.LeafIndex < 0 || tc.LeafIndex >= int64(len(t.leaves)) || leaf != tlog.RecordHash(t.leaves[tc.LeafIndex]) {
			return count, fmt.Errorf("%s: leaf hash differs from tlog.RecordHash", what)
		}
		if r, err := t.rootOf(tc.TreeSize); err != nil || r != root {
			return count, fmt.Errorf("%s: root differs from tlog.TreeHash", what)
		}
		if p, err := tlog.ProveRecord(tc.TreeSize, tc.LeafIndex, t); err != nil || !equal(p, path) {
			return count, fmt.Errorf("%s: tlog.ProveRecord gives a different path (%v)", what, err)
		}
		if err := tlog.CheckRecord(path, tc.TreeSize, root, tc.LeafIndex, leaf); err != nil {
			return count, fmt.Errorf("%s: CheckRecord: %v", what, err)
		}
		if r := reversed(path); !equal(r, path) && tlog.CheckRecord(r, tc.TreeSize, root, tc.LeafIndex, leaf) == nil {
			return count, fmt.Errorf("%s: CheckRecord accepts the reversed path", what)
		}
		count++
	}
	for _, tc := range v.Consistency {
		what := fmt.Sprintf("consistency %d->%d", tc.OldSize, tc.NewSize)
		oldRoot, err1 := hexHash(tc.OldRoot)
		newRoot, err2 := hexHash(tc.NewRoot)
		proof, err3 := hexHashes(tc.Proof)
		if err := firstErr(err1, err2, err3); err != nil {
			return count, fmt.Errorf("%s: %v", what, err)
		}
		ro, erro := t.rootOf(tc.OldSize)
		rn, errn := t.rootOf(tc.NewSize)
		if erro != nil || errn != nil || ro != oldRoot || rn != newRoot {
			return count, fmt.Errorf("%s: roots differ from tlog.TreeHash", what)
		}
		if p, err := tlog.ProveTree(tc.NewSize, tc.OldSize, t); err != nil || !equal(p, proof) {
			return count, fmt.Errorf("%s: tlog.ProveTree gives a different proof (%v)", what, err)
		}
		if err := tlog.CheckTree(proof, tc.NewSize, newRoot, tc.OldSize, oldRoot); err != nil {
			return count, fmt.Errorf("%s: CheckTree: %v", what, err)
		}
		if r := reversed(proof); !equal(r, proof) && tlog.CheckTree(r, tc.NewSize, newRoot, tc.OldSize, oldRoot) == nil {
			return count, fmt.Errorf("%s: CheckTree accepts the reversed proof", what)
		}
		count++
	}
	return count, nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
