package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/store"
)

// kassa db check|salvage|backup|restore: the books' own care, for the
// person who looks after the till. None of them writes to a damaged file.
func runDB(args []string, out io.Writer) error {
	if len(args) == 0 || len(args[0]) > 0 && args[0][0] == '-' {
		return usageErr(catalogFor(langFlag(args)).T("db.which"), nil)
	}
	switch args[0] {
	case "check":
		return runDBCheck(args[1:], out)
	case "salvage":
		return runDBSalvage(args[1:], out)
	case "backup":
		return runDBBackup(args[1:], out)
	case "restore":
		return runDBRestore(args[1:], out)
	}
	return usageErr(catalogFor(langFlag(args)).T("db.which_not", args[0]), nil)
}

// runDBCheck reads every page of the data file and says what is wrong:
// exit 0 when nothing is, 4 when the file is damaged.
func runDBCheck(args []string, out io.Writer) error {
	cfg, _, err := loadConfig("kassa db check", args)
	if err != nil {
		return err
	}
	cat, path := catalogFor(cfg.Lang), cfg.dataFile()
	rep, err := store.CheckFile(path, store.CheckOptions{Full: true, Bolt: true})
	if err != nil {
		return dataFileErr(path, cat, err)
	}
	if rep.OK() {
		fmt.Fprintln(out, cat.N("db.check_ok", int(rep.Pages), path, rep.Pages, rep.Took.Round(time.Millisecond)))
		return nil
	}
	fmt.Fprintln(out, cat.T("db.check_damaged", path))
	for _, p := range rep.Problems {
		fmt.Fprintln(out, "  "+problemText(cat, p))
	}
	if rep.More > 0 {
		fmt.Fprintln(out, "  "+cat.N("db.problems_more", rep.More, rep.More))
	}
	fmt.Fprintln(out, cat.T("db.what_to_do", path, path))
	return &exitError{code: exitBooks}
}

// problemText says one problem of a data file in a person's words.
func problemText(cat *locale.Catalog, p store.Problem) string {
	var s string
	switch p.Kind {
	case store.ProblemTooShort:
		s = cat.N("db.problem.too_short", int(p.N), p.N, p.M)
	case store.ProblemLost:
		s = cat.N("db.problem.lost", int(p.N), p.N, p.Page)
	case store.ProblemNotData, store.ProblemHeader, store.ProblemFreelist, store.ProblemRead, store.ProblemPanic, store.ProblemBolt:
		s = cat.T("db.problem." + string(p.Kind))
	default: // a page: overwritten, entries out of place, referred to wrongly
		s = cat.T("db.problem.page", p.Page)
	}
	if p.Bucket != "" {
		s += " " + cat.T("db.problem.bucket", p.Bucket)
	}
	if p.Text != "" {
		s += " (" + p.Text + ")"
	}
	return s
}

// runDBSalvage copies every operation of a damaged file that still reads
// into a new one and lists the receipts it could not read: exit 0 when
// none was lost, 3 when some were (a person checks them at the provider).
func runDBSalvage(args []string, out io.Writer) error {
	var dst string
	cfg, _, err := loadConfig("kassa db salvage", args, func(fs *flag.FlagSet) {
		fs.StringVar(&dst, "out", "", "flag.db-salvage.out FILE")
	})
	if err != nil {
		return err
	}
	cat, src := catalogFor(cfg.Lang), cfg.dataFile()
	if dst == "" {
		return usageErr(cat.T("db.salvage_needs_out"), nil)
	}
	rep, err := store.Salvage(src, dst)
	switch {
	case errors.Is(err, store.ErrExists):
		return usageErr(cat.T("db.exists", dst), err)
	case err != nil:
		return dataFileErr(src, cat, err)
	}
	if rep.Damage.OK() {
		fmt.Fprintln(out, cat.T("db.salvage_sound", src))
	}
	fmt.Fprintln(out, cat.N("db.salvaged", rep.Operations, rep.Operations, dst, rep.Settings, rep.Secrets))
	if len(rep.Older) > 0 {
		fmt.Fprintln(out, cat.T("db.salvage_older", len(rep.Older), receiptList(rep.Older)))
	}
	if rep.SettingsDamaged || rep.SecretsDamaged {
		fmt.Fprintln(out, cat.T("db.salvage_settings"))
	}
	if rep.PeopleDamaged || rep.AuditDamaged {
		fmt.Fprintln(out, cat.T("audit.salvage_damaged", dst))
	}
	for _, l := range rep.Lost {
		if l.Row != nil {
			fmt.Fprintln(out, "  "+cat.T("db.lost_row", l.ID.Receipt(), l.Row.Created.Local().Format("02.01.2006 15:04"),
				cat.Amount(l.Row.Amount.Minor, l.Row.Amount.Currency.Digits, l.Row.Amount.Currency.Code, l.Row.Amount.Currency.Symbol)))
		} else {
			fmt.Fprintln(out, "  "+cat.T("db.lost", l.ID.Receipt()))
		}
	}
	fmt.Fprintln(out, cat.T("db.salvage_next", rep.Next.Receipt(), dst, src))
	if len(rep.Lost) > 0 {
		fmt.Fprintln(out, cat.N("db.salvage_lost", len(rep.Lost), len(rep.Lost)))
		return errForPerson
	}
	return nil
}

// receiptList is ids as receipt numbers, the first few of them.
func receiptList(ids []store.ID) string {
	s := ""
	for i, id := range ids {
		if i == 10 {
			return s + ", …"
		}
		if i > 0 {
			s += ", "
		}
		s += id.Receipt()
	}
	return s
}

// runDBBackup takes a checked backup now: through the till that has the
// data file open, or from the file itself.
func runDBBackup(args []string, out io.Writer) error {
	cfg, _, err := loadConfig("kassa db backup", args)
	if err != nil {
		return err
	}
	cat, path := catalogFor(cfg.Lang), cfg.dataFile()
	var f store.BackupFile
	if took, asked := tillBackup(path); asked {
		f, err = took()
	} else {
		var st *store.Store
		st, err = openDataFile(path, cat)
		if err != nil {
			return err
		}
		f, err = cfg.backups(path).Take(st, time.Now())
		if cerr := st.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}
	if err != nil {
		return backupErr(cat, path, err)
	}
	fmt.Fprintln(out, cat.T("db.backup_done", path, f.Path))
	return nil
}

// backupErr says why a backup was not taken.
func backupErr(cat *locale.Catalog, path string, err error) error {
	if errors.Is(err, store.ErrDamaged) {
		return booksErr(cat.T("db.backup_damaged", path), err)
	}
	return booksErr(cat.T("db.backup_failed", path, err), err)
}

// runDBRestore puts a backup in place of the data file (the newest one
// unless --from names another); the file it replaces is kept beside it.
func runDBRestore(args []string, out io.Writer) error {
	var from string
	cfg, _, err := loadConfig("kassa db restore", args, func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "flag.db-restore.from FILE")
	})
	if err != nil {
		return err
	}
	cat, path := catalogFor(cfg.Lang), cfg.dataFile()
	if from == "" {
		list, err := cfg.backups(path).List()
		if err != nil {
			return booksErr(cat.T("db.backup_failed", path, err), err)
		}
		if len(list) == 0 {
			return booksErr(cat.T("db.no_backups", cfg.backupDir(path)), nil)
		}
		from = list[0].Path
	}
	rep, err := store.Restore(path, from, time.Now())
	if err != nil {
		if errors.Is(err, store.ErrDamaged) {
			return booksErr(cat.T("db.restore_damaged", from), err)
		}
		return dataFileErr(path, cat, err)
	}
	fmt.Fprintln(out, cat.T("db.restored", from, path))
	if rep.Kept != "" {
		fmt.Fprintln(out, cat.T("db.restore_kept", rep.Kept))
	}
	if rep.Continued {
		fmt.Fprintln(out, cat.T("db.restore_next", rep.Next.Receipt()))
	} else {
		fmt.Fprintln(out, cat.T("db.restore_next_unknown", rep.Next.Receipt()))
	}
	fmt.Fprintln(out, cat.T("db.restore_recover"))
	return nil
}

// backups are the data file's backups as the config says.
func (c Config) backups(path string) store.Backups {
	return store.BackupsOf(path, c.backupDir(path), c.Backup.Keep)
}

// backupDir is where the data file's backups go: the configured folder,
// else backups/ beside the data file.
func (c Config) backupDir(path string) string {
	if c.Backup.Dir != "" {
		return c.Backup.Dir
	}
	return filepath.Join(filepath.Dir(path), "backups")
}
