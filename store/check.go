package store

// Checking a data file without trusting it.
//
// bbolt reads its file through a memory map and unchecked pointers: a page
// cut off by a short file is a SIGBUS, a scribbled entry a read past the
// map (SIGSEGV) or a panic ("invalid freelist page", "Page expected to
// be…"). A fault is not a panic and cannot be recovered, and tx.Check runs
// in a goroutine of bbolt's own. So the file is first read here with
// ReadAt, every length and offset bounded, in bbolt's documented layout
// (version 2, pages of 16-byte headers and 16-byte elements): only a file
// that passes is opened by bbolt for writing, and only then does bbolt's
// own tx.Check run over it (as a second opinion, in Check and on every
// backup).
//
// How much is read when a data file opens is a trade-off measured on a
// file of a million operations (2 GB, 500,000 pages; BenchmarkCheck):
//
//   - the structure (both header pages, the file's length against them,
//     the freelist, every branch page, the first and last leaf under each,
//     every page reference in range, not free and not taken twice) reads
//     about 5,000 pages: milliseconds, a fraction of a second cold;
//   - every page (Full) reads the whole file: about half a second from the
//     page cache, seconds from a cold disk (6 s here, far more from an SD
//     card); bbolt's tx.Check takes 1.8 s warm and 35 s cold, as its
//     random reads through the map defeat read-ahead.
//
// So a file opens with its structure checked, and every page checked as
// well while it is small (fullCheckAtOpen); a bigger one has every page
// checked on each backup (at the till's start and every few hours, in the
// background), and at its next open once damage was seen (the .damaged
// note beside it). Damage the structure check cannot see, in a leaf page
// nobody has read since, is found by the next backup, or turns the read
// that meets it into ErrDamaged instead of a crash (see Store.view).

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// bbolt's file format, version 2 (go.etcd.io/bbolt/internal/common).
const (
	pageHeaderSize = 16
	elementSize    = 16 // branch and leaf elements alike
	flagBranch     = 0x01
	flagLeaf       = 0x02
	flagFreelist   = 0x10
	flagBucket     = 0x01 // a leaf element that is a bucket
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	noFreelist     = ^uint64(0)
	metaSize       = 64
	// maxSpan bounds one page with its overflow: kassa's values are a few
	// kilobytes, and a scribbled overflow count must not allocate gigabytes.
	maxSpan = 64 << 20
	// maxProblems is how many problems a report keeps; More counts the rest.
	maxProblems = 50
)

// fullCheckAtOpen is the largest data file whose every page is read each
// time it opens: about 60 ms from the page cache, half a second cold
// (some 120,000 operations, a year of a busy shop). Tests lower it.
var fullCheckAtOpen int64 = 256 << 20

var order = binary.NativeEndian // bbolt writes its structs in the machine's order

// ProblemKind is what is wrong in a data file.
type ProblemKind string

const (
	// ProblemTooShort: the file is shorter than its own header says: cut
	// off (a copy that did not finish, a full disk). N is its length, M
	// the length its header gives.
	ProblemTooShort ProblemKind = "too_short"
	// ProblemNotData: neither header page is a bbolt header: not a data
	// file, or its beginning was overwritten.
	ProblemNotData ProblemKind = "not_data"
	// ProblemHeader: the header pages are unreadable or say impossible things.
	ProblemHeader ProblemKind = "header"
	// ProblemFreelist: the list of free pages is damaged.
	ProblemFreelist ProblemKind = "freelist"
	// ProblemPage: a page is not what the tree expects there (another
	// page's number, an unknown type): overwritten.
	ProblemPage ProblemKind = "page"
	// ProblemEntries: a page's entries run past its end or out of order.
	ProblemEntries ProblemKind = "entries"
	// ProblemReference: a page is referred to out of range, twice, or
	// while it is listed as free.
	ProblemReference ProblemKind = "reference"
	// ProblemLost: N pages are neither in use nor free.
	ProblemLost ProblemKind = "lost"
	// ProblemRead: the disk would not give the page (an I/O error).
	ProblemRead ProblemKind = "read"
	// ProblemPanic: reading the file made bbolt panic (Text says how).
	ProblemPanic ProblemKind = "panic"
	// ProblemBolt: bbolt's own check disagrees (Text says how).
	ProblemBolt ProblemKind = "bolt"
)

// Problem is one thing found wrong in a data file.
type Problem struct {
	Kind ProblemKind
	// Page is the page it was found at (0: the file as a whole), Bucket
	// the bucket the page belongs to ("" when not known).
	Page   uint64
	Bucket string
	N, M   int64
	// Text is bbolt's own words, or the I/O error, where there are any.
	Text string
}

func (p Problem) String() string {
	s := string(p.Kind)
	if p.Page != 0 {
		s += fmt.Sprintf(" at page %d", p.Page)
	}
	if p.Bucket != "" {
		s += " (" + p.Bucket + ")"
	}
	if p.N != 0 || p.M != 0 {
		s += fmt.Sprintf(" %d/%d", p.N, p.M)
	}
	if p.Text != "" {
		s += ": " + p.Text
	}
	return s
}

// Report is what checking a data file found.
type Report struct {
	Path string
	// Size is the file's length, PageSize its pages', Pages how many
	// pages its header says it uses.
	Size     int64
	PageSize int
	Pages    uint64
	// Full is set when every page was read, not only the structure.
	Full     bool
	Problems []Problem
	// More counts the problems beyond those kept.
	More int
	Took time.Duration
}

// OK reports whether nothing is wrong.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

func (r *Report) add(p Problem) {
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, p)
	} else {
		r.More++
	}
}

// DamagedError is a data file refused, or given up on, for damage.
type DamagedError struct {
	Path   string
	Report *Report
}

func (e *DamagedError) Error() string {
	if len(e.Report.Problems) == 0 {
		return "store: " + e.Path + " is damaged"
	}
	return "store: " + e.Path + " is damaged: " + e.Report.Problems[0].String()
}

func (e *DamagedError) Is(target error) bool { return target == ErrDamaged }

// ErrDamaged is what a DamagedError is.
var ErrDamaged = errors.New("store: the data file is damaged")

// CheckOptions say how much of a data file Check reads.
type CheckOptions struct {
	// Full reads every page; otherwise the structure only.
	Full bool
	// Bolt runs bbolt's own tx.Check as well, after a full read found
	// nothing wrong (only then can it run without risk of a fault).
	Bolt bool
}

// CheckFile checks the data file at path and never writes to it. It holds
// the file's shared lock while it reads (ErrLocked when a till has it
// open), so no writer changes it meanwhile. An error is a file that could
// not be read at all (missing, no permission); damage is in the report.
func CheckFile(path string, opt CheckOptions) (*Report, error) {
	start := time.Now()
	// bbolt's read-only open takes the shared lock and reads no more
	// than the two header pages, which exist in any file it accepts. A
	// file it refuses is read below without the lock: no bbolt could
	// have it open for writing.
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		if lockTimeout(err) {
			return nil, ErrLocked
		}
		db = nil
	}
	if db != nil {
		defer db.Close()
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer f.Close()
	rep, err := checkFile(f, opt.Full)
	if err != nil {
		return nil, err
	}
	rep.Path = path
	if rep.OK() && db == nil {
		// bbolt refused a file that reads well here: say so rather than
		// call it sound.
		rep.add(Problem{Kind: ProblemHeader, Text: "bbolt cannot open it"})
	}
	if rep.OK() && opt.Full && opt.Bolt {
		boltCheck(db, rep)
	}
	rep.Took = time.Since(start)
	return rep, nil
}

// boltCheck adds what bbolt's tx.Check finds. Its own goroutine recovers
// bbolt's panics; the full read before it rules out faults.
func boltCheck(db *bolt.DB, rep *Report) {
	err := db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			rep.add(Problem{Kind: ProblemBolt, Text: err.Error()})
		}
		return nil
	})
	if err != nil {
		rep.add(Problem{Kind: ProblemBolt, Text: err.Error()})
	}
}

// fileMeta is a header page's content.
type fileMeta struct {
	pageSize uint32
	root     uint64 // the root bucket's page
	rootSeq  uint64
	freelist uint64
	pages    uint64 // high water mark: pages in use or free
	txid     uint64
}

func parseMeta(p []byte) (fileMeta, error) {
	if len(p) < pageHeaderSize+metaSize {
		return fileMeta{}, io.ErrUnexpectedEOF
	}
	b := p[pageHeaderSize:]
	if order.Uint32(b[0:]) != boltMagic {
		return fileMeta{}, errNotBolt
	}
	if order.Uint32(b[4:]) != boltVersion {
		return fileMeta{}, fmt.Errorf("version %d", order.Uint32(b[4:]))
	}
	h := fnv.New64a()
	h.Write(b[:56])
	if h.Sum64() != order.Uint64(b[56:]) {
		return fileMeta{}, errors.New("checksum")
	}
	m := fileMeta{pageSize: order.Uint32(b[8:]), root: order.Uint64(b[16:]), rootSeq: order.Uint64(b[24:]),
		freelist: order.Uint64(b[32:]), pages: order.Uint64(b[40:]), txid: order.Uint64(b[48:])}
	if m.pageSize < 512 || m.pageSize > 1<<24 || m.pageSize&(m.pageSize-1) != 0 {
		return fileMeta{}, fmt.Errorf("page size %d", m.pageSize)
	}
	return m, nil
}

var errNotBolt = errors.New("not a bbolt file")

// pageFile reads a data file's pages with every offset checked.
type pageFile struct {
	r    io.ReaderAt
	size int64
	ps   uint64
	meta fileMeta
}

// openPages reads the header pages as bbolt does (the valid one with the
// higher transaction id) and checks the file is as long as they say.
// Problems go to rep; nil when the pages cannot be read. A lenient open
// (for salvage) gives whatever can still be read: a file cut short, or
// one whose headers are gone (pages of 4096 bytes and no tree to walk:
// root 0).
func openPages(r io.ReaderAt, size int64, rep *Report, lenient bool) *pageFile {
	pf, ok := readHeaders(r, size, rep)
	switch {
	case ok:
		return pf
	case !lenient:
		return nil
	case pf != nil:
		return pf
	}
	return &pageFile{r: r, size: size, ps: 4096, meta: fileMeta{pageSize: 4096, pages: uint64(size) / 4096, freelist: noFreelist}}
}

// readHeaders is openPages: ok when nothing is wrong, pf when the
// headers say where the pages are.
func readHeaders(r io.ReaderAt, size int64, rep *Report) (pf *pageFile, ok bool) {
	rep.Size = size
	first := make([]byte, 4096)
	n, err := r.ReadAt(first, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		rep.add(Problem{Kind: ProblemRead, Text: err.Error()})
		return nil, false
	}
	m0, err0 := parseMeta(first[:n])
	// The second header is one page in: its size comes from the first,
	// or, when that is gone, from each size bbolt may have used.
	var m1 fileMeta
	err1 := errNotBolt
	sizes := []uint32{4096, 512, 1024, 2048, 8192, 16384, 32768, 65536}
	if err0 == nil {
		sizes = []uint32{m0.pageSize}
	}
	for _, ps := range sizes {
		buf := make([]byte, pageHeaderSize+metaSize)
		if n, err := r.ReadAt(buf, int64(ps)); n == len(buf) || err == nil {
			if m1, err1 = parseMeta(buf); err1 == nil && m1.pageSize == ps {
				break
			}
			if err1 == nil {
				err1 = fmt.Errorf("page size %d at offset %d", m1.pageSize, ps)
			}
		}
	}
	var m fileMeta
	switch {
	case err0 != nil && err1 != nil:
		if errors.Is(err0, errNotBolt) && errors.Is(err1, errNotBolt) {
			rep.add(Problem{Kind: ProblemNotData})
		} else {
			rep.add(Problem{Kind: ProblemHeader, Text: err0.Error() + "; " + err1.Error()})
		}
		return nil, false
	case err1 != nil, err0 == nil && m0.txid >= m1.txid:
		m = m0
	default:
		m = m1
	}
	rep.PageSize, rep.Pages = int(m.pageSize), m.pages
	ps := uint64(m.pageSize)
	if m.pages < 3 || m.pages > uint64(1)<<48/ps {
		rep.add(Problem{Kind: ProblemHeader, Text: fmt.Sprintf("%d pages", m.pages)})
		return nil, false
	}
	pf = &pageFile{r: r, size: size, ps: ps, meta: m}
	if want := int64(m.pages * ps); size < want {
		rep.add(Problem{Kind: ProblemTooShort, N: size, M: want})
		return pf, false // what is left can be salvaged
	}
	if m.root < 2 || m.root >= m.pages || m.freelist != noFreelist && (m.freelist < 2 || m.freelist >= m.pages) {
		rep.add(Problem{Kind: ProblemHeader, Text: fmt.Sprintf("root %d, freelist %d of %d pages", m.root, m.freelist, m.pages)})
		pf.meta.root, pf.meta.freelist = 0, noFreelist
		return pf, false
	}
	return pf, true
}

// page is one page with its overflow, as read.
type page struct {
	id       uint64
	flags    uint16
	count    int
	overflow uint64
	buf      []byte
}

func parsePage(id uint64, buf []byte) page {
	return page{id: order.Uint64(buf), flags: order.Uint16(buf[8:]), count: int(order.Uint16(buf[10:])),
		overflow: uint64(order.Uint32(buf[12:])), buf: buf}
}

// read reads page id and its overflow.
func (f *pageFile) read(id uint64) (page, error) {
	if id >= f.meta.pages {
		return page{}, errRange
	}
	buf := make([]byte, f.ps)
	if _, err := f.r.ReadAt(buf, int64(id*f.ps)); err != nil {
		return page{}, err
	}
	return f.spanned(id, buf)
}

// spanned reads the rest of a page whose first page is in buf.
func (f *pageFile) spanned(id uint64, buf []byte) (page, error) {
	p := parsePage(id, buf)
	if p.id != id {
		return p, nil // the caller says what it is instead
	}
	if p.overflow == 0 {
		return p, nil
	}
	if p.overflow >= f.meta.pages-id || (p.overflow+1)*f.ps > maxSpan {
		return p, errSpan
	}
	full := make([]byte, (p.overflow+1)*f.ps)
	copy(full, buf)
	if _, err := f.r.ReadAt(full[len(buf):], int64((id+1)*f.ps)); err != nil {
		return p, err
	}
	p.buf = full
	return p, nil
}

var (
	errRange = errors.New("page out of range")
	errSpan  = errors.New("overflow past the end")
)

// readRun reads the pages ids, ascending, in as few reads as it can:
// neighbours on disk come in one read, so a full check goes through the
// file nearly in order and the disk reads ahead. A page handed to each
// is valid only until each returns.
func (f *pageFile) readRun(ids []uint64, each func(id uint64, p page, err error)) {
	const gap, most = 4, 256 // pages skipped within a read; pages per read
	var run []byte
	for i := 0; i < len(ids); {
		j := i + 1
		for j < len(ids) && ids[j]-ids[j-1] <= gap && ids[j]-ids[i] < most {
			j++
		}
		first, last := ids[i], ids[j-1]
		if n := int((last - first + 1) * f.ps); cap(run) < n {
			run = make([]byte, n)
		}
		buf := run[:(last-first+1)*f.ps]
		_, err := f.r.ReadAt(buf, int64(first*f.ps))
		for _, id := range ids[i:j] {
			if err != nil {
				each(id, page{}, err)
				continue
			}
			off := (id - first) * f.ps
			p, perr := f.spanned(id, buf[off:off+f.ps:off+f.ps])
			each(id, p, perr)
		}
		i = j
	}
}

// bitset is a set of page ids.
type bitset []uint64

func newBitset(n uint64) bitset    { return make(bitset, (n+63)/64) }
func (b bitset) has(i uint64) bool { return b[i/64]&(1<<(i%64)) != 0 }
func (b bitset) set(i uint64)      { b[i/64] |= 1 << (i % 64) }

// pageWalk is one check of a file's page tree.
type pageWalk struct {
	f    *pageFile
	rep  *Report
	full bool
	used bitset // pages the tree, the headers and the freelist take
	free bitset
	// names are the top-level buckets, by their index in refs.
	names []string
	// scratch holds a page's elements while it is looked at.
	scratch []element
}

// ref is a page to read: the element elem of the branch page parent, or
// a bucket's root (parent nil), with the keys it must lie between.
type ref struct {
	id     uint64
	bucket int // index in pageWalk.names; -1 for the root bucket
	lo, hi []byte
	// probe, in a structure check, is the branch whose first child this
	// is: when it is a branch too, the rest are read as well.
	probe *branch
	// depth guards against a loop a scribble could make.
	depth int
}

// checkFile checks the pages behind f: its structure, or every page.
func checkFile(r io.ReaderAt, full bool) (*Report, error) {
	rep := &Report{Full: full}
	size, err := sizeOf(r)
	if err != nil {
		return nil, err
	}
	pf := openPages(r, size, rep, false)
	if pf == nil {
		return rep, nil
	}
	w := &pageWalk{f: pf, rep: rep, full: full, used: newBitset(pf.meta.pages), free: newBitset(pf.meta.pages)}
	w.used.set(0)
	w.used.set(1)
	w.freelist()
	if !rep.OK() {
		return rep, nil
	}
	w.tree()
	if full && rep.OK() {
		lost, first := int64(0), uint64(0)
		for i := uint64(2); i < pf.meta.pages; i++ {
			if !w.used.has(i) && !w.free.has(i) {
				if lost == 0 {
					first = i
				}
				lost++
			}
		}
		if lost > 0 {
			rep.add(Problem{Kind: ProblemLost, Page: first, N: lost})
		}
	}
	return rep, nil
}

func sizeOf(r io.ReaderAt) (int64, error) {
	if f, ok := r.(interface{ Stat() (os.FileInfo, error) }); ok {
		fi, err := f.Stat()
		if err != nil {
			return 0, fmt.Errorf("store: %w", err)
		}
		return fi.Size(), nil
	}
	if s, ok := r.(interface{ Size() int64 }); ok {
		return s.Size(), nil
	}
	return 0, errors.New("store: check: the file's length cannot be told")
}

// freelist reads the list of free pages.
func (w *pageWalk) freelist() {
	id := w.f.meta.freelist
	if id == noFreelist {
		return
	}
	p, err := w.f.read(id)
	if err != nil {
		w.rep.add(Problem{Kind: ProblemFreelist, Page: id, Text: err.Error()})
		return
	}
	if p.id != id || p.flags != flagFreelist {
		w.rep.add(Problem{Kind: ProblemFreelist, Page: id})
		return
	}
	for i := uint64(0); i <= p.overflow; i++ {
		w.used.set(id + i)
	}
	start, count := uint64(0), uint64(p.count)
	if p.count == 0xFFFF {
		if len(p.buf) < pageHeaderSize+8 {
			w.rep.add(Problem{Kind: ProblemFreelist, Page: id})
			return
		}
		start, count = 1, order.Uint64(p.buf[pageHeaderSize:])
	}
	if count > uint64(len(p.buf)-pageHeaderSize)/8-start {
		w.rep.add(Problem{Kind: ProblemFreelist, Page: id})
		return
	}
	for i := start; i < start+count; i++ {
		free := order.Uint64(p.buf[pageHeaderSize+8*i:])
		if free < 2 || free >= w.f.meta.pages || w.free.has(free) || w.used.has(free) {
			w.rep.add(Problem{Kind: ProblemFreelist, Page: id, N: int64(free)})
			return
		}
		w.free.set(free)
	}
}

// tree walks the root bucket and every bucket in it, a round at a time:
// each round reads the pages the one before named, in file order.
func (w *pageWalk) tree() {
	next := []ref{{id: w.f.meta.root, bucket: -1}}
	w.take(next[0].id, -1)
	for len(next) > 0 && w.rep.More == 0 {
		round := next
		next = nil
		slices.SortFunc(round, func(a, b ref) int {
			switch {
			case a.id < b.id:
				return -1
			case a.id > b.id:
				return 1
			}
			return 0
		})
		ids := make([]uint64, len(round))
		for i, r := range round {
			ids[i] = r.id
		}
		i := 0
		w.f.readRun(ids, func(id uint64, p page, err error) {
			r := round[i]
			i++
			next = w.visit(r, p, err, next)
		})
	}
}

func (w *pageWalk) bucketName(i int) string {
	if i < 0 {
		return ""
	}
	return w.names[i]
}

// take marks page id as used by the tree, from a reference to it.
func (w *pageWalk) take(id uint64, bucket int) bool {
	switch {
	case id < 2 || id >= w.f.meta.pages:
		w.rep.add(Problem{Kind: ProblemReference, Page: id, Bucket: w.bucketName(bucket), N: int64(w.f.meta.pages)})
		return false
	case w.free.has(id), w.used.has(id):
		w.rep.add(Problem{Kind: ProblemReference, Page: id, Bucket: w.bucketName(bucket)})
		return false
	}
	w.used.set(id)
	return true
}

// visit checks one page read for r and returns next with the pages it names.
func (w *pageWalk) visit(r ref, p page, err error, next []ref) []ref {
	name := w.bucketName(r.bucket)
	switch {
	case errors.Is(err, errSpan):
		w.rep.add(Problem{Kind: ProblemPage, Page: r.id, Bucket: name})
		return next
	case err != nil:
		w.rep.add(Problem{Kind: ProblemRead, Page: r.id, Bucket: name, Text: err.Error()})
		return next
	case p.id != r.id || p.flags != flagBranch && p.flags != flagLeaf:
		w.rep.add(Problem{Kind: ProblemPage, Page: r.id, Bucket: name})
		return next
	case r.depth > 64:
		w.rep.add(Problem{Kind: ProblemReference, Page: r.id, Bucket: name})
		return next
	}
	for i := uint64(1); i <= p.overflow; i++ {
		if w.used.has(r.id+i) || w.free.has(r.id+i) {
			w.rep.add(Problem{Kind: ProblemReference, Page: r.id + i, Bucket: name})
			return next
		}
		w.used.set(r.id + i)
	}
	if r.probe != nil && p.flags == flagBranch {
		// The first child of a branch is a branch: its siblings are
		// branches too, and read as well.
		next = w.children(r.probe, r.bucket, r.depth, next, true)
	}
	elems, ok := w.elements(p.buf, p.count, p.flags == flagBranch, r, name, p.id)
	if !ok {
		return next
	}
	if p.flags == flagBranch {
		// Its keys bound the next round's pages: keep a copy of the
		// page, which is read into a buffer used again.
		// (Branch pages are one in a hundred: reading the copy again
		// costs little.)
		elems, _ = w.elements(slices.Clone(p.buf), p.count, true, r, name, p.id)
		return w.children(&branch{id: p.id, elems: slices.Clone(elems)}, r.bucket, r.depth+1, next, false)
	}
	for _, e := range elems {
		if e.flags&flagBucket != 0 {
			next = w.bucket(r, e, next)
		} else if w.full && name == string(bOperations) && !validOperation(e.value) {
			// Bytes scribbled over the values alone leave the page's
			// structure whole: an operation must still read.
			w.rep.add(Problem{Kind: ProblemEntries, Page: r.id, Bucket: name})
			return next
		}
	}
	return next
}

// validOperation reports whether v can be an operation's record: a
// compressed one whose checksum holds, or (an older file's) JSON as
// encoding/json writes it: an object with no control character in it
// (they are escaped). Random bytes over a value are caught by the first
// byte below 0x20 among them, all but always; parsing it all (json.Valid)
// would make the check of a million operations five times slower. Eight
// bytes are tested at a time.
func validOperation(v []byte) bool {
	if len(v) > 0 && v[0] == codecDeflate1 {
		return validRecord(v)
	}
	if len(v) < 2 || v[0] != '{' || v[len(v)-1] != '}' {
		return false
	}
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(v); i += 8 {
		x := order.Uint64(v[i:])
		// A byte below 0x20 borrows into its high bit (and a byte with
		// the high bit set is ruled out by ^x).
		if (x-0x20*ones)&^x&highs != 0 {
			return false
		}
	}
	for ; i < len(v); i++ {
		if v[i] < 0x20 {
			return false
		}
	}
	return true
}

// element is one entry of a page.
type element struct {
	flags      uint32
	key, value []byte
	child      uint64
}

// elements reads and checks the entries of a page in buf: inside it, in
// ascending order, between r's keys. The slice is reused by the next call.
func (w *pageWalk) elements(buf []byte, count int, branch bool, r ref, name string, id uint64) ([]element, bool) {
	bad := func() ([]element, bool) {
		w.rep.add(Problem{Kind: ProblemEntries, Page: id, Bucket: name})
		return nil, false
	}
	if count == 0 && branch || pageHeaderSize+count*elementSize > len(buf) {
		return bad()
	}
	elems := w.scratch[:0]
	if cap(elems) < count {
		elems = make([]element, count)
	}
	elems = elems[:count]
	w.scratch = elems
	for i := range elems {
		at := pageHeaderSize + i*elementSize
		e := buf[at : at+elementSize]
		var pos, ksize, vsize uint64
		if branch {
			pos, ksize = uint64(order.Uint32(e)), uint64(order.Uint32(e[4:]))
			elems[i].child = order.Uint64(e[8:])
		} else {
			elems[i].flags = order.Uint32(e)
			pos, ksize, vsize = uint64(order.Uint32(e[4:])), uint64(order.Uint32(e[8:])), uint64(order.Uint32(e[12:]))
		}
		// bbolt puts the keys and values after the whole element table.
		start := uint64(at) + pos
		if start < uint64(pageHeaderSize+count*elementSize) || start+ksize+vsize > uint64(len(buf)) {
			return bad()
		}
		elems[i].key = buf[start : start+ksize : start+ksize]
		elems[i].value = buf[start+ksize : start+ksize+vsize : start+ksize+vsize]
		switch {
		case i > 0 && bytes.Compare(elems[i-1].key, elems[i].key) >= 0,
			i == 0 && r.lo != nil && bytes.Compare(elems[0].key, r.lo) < 0,
			r.hi != nil && bytes.Compare(elems[i].key, r.hi) >= 0:
			return bad()
		}
	}
	return elems, true
}

// branch is a branch page's checked entries.
type branch struct {
	id    uint64
	elems []element
}

// children names the pages a branch page points to. In a structure check
// only its first and last child are read, and the rest only when the
// first is a branch itself (rest: the probe came back a branch).
func (w *pageWalk) children(b *branch, bucket, depth int, next []ref, rest bool) []ref {
	elems := b.elems
	at := func(i int) ref {
		r := ref{id: elems[i].child, bucket: bucket, lo: elems[i].key, depth: depth}
		if i+1 < len(elems) {
			r.hi = elems[i+1].key
		}
		return r
	}
	if rest {
		for i := 1; i < len(elems)-1; i++ {
			next = append(next, at(i))
		}
		return next
	}
	for i, e := range elems {
		if !w.take(e.child, bucket) {
			return next
		}
		switch {
		case w.full:
			next = append(next, at(i))
		case i == 0:
			r := at(i)
			r.probe = b
			next = append(next, r)
		case i == len(elems)-1:
			next = append(next, at(i))
		}
	}
	return next
}

// bucket checks a bucket entry of a leaf and names its root page, or
// checks its pages inline.
func (w *pageWalk) bucket(parent ref, e element, next []ref) []ref {
	idx := parent.bucket
	if parent.bucket < 0 {
		w.names = append(w.names, string(e.key))
		idx = len(w.names) - 1
	}
	name := w.bucketName(idx)
	if len(e.value) < 16 {
		w.rep.add(Problem{Kind: ProblemEntries, Page: parent.id, Bucket: name})
		return next
	}
	root := order.Uint64(e.value)
	if root != 0 {
		if w.take(root, idx) {
			next = append(next, ref{id: root, bucket: idx, depth: parent.depth + 1})
		}
		return next
	}
	inline := e.value[16:]
	if len(inline) < pageHeaderSize {
		w.rep.add(Problem{Kind: ProblemEntries, Page: parent.id, Bucket: name})
		return next
	}
	p := parsePage(0, inline)
	if p.flags != flagLeaf {
		w.rep.add(Problem{Kind: ProblemEntries, Page: parent.id, Bucket: name})
		return next
	}
	// The caller is ranging over the scratch slice: the inline bucket's
	// entries get their own.
	saved := w.scratch
	w.scratch = nil
	elems, ok := w.elements(inline, p.count, false, ref{}, name, parent.id)
	w.scratch = saved
	if !ok {
		return next
	}
	for _, c := range elems {
		if c.flags&flagBucket != 0 {
			next = w.bucket(ref{id: parent.id, bucket: idx, depth: parent.depth + 1}, c, next)
		}
	}
	return next
}

// lockTimeout reports whether err is bbolt giving up on the file's lock.
func lockTimeout(err error) bool { return errors.Is(err, bolterrors.ErrTimeout) }
