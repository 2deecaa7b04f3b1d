package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// maxTrackedFile is the largest file git may track outside testdata:
// anything bigger is build output, a database or a dump committed by
// mistake.
const maxTrackedFile = 1 << 20

// TestNoLargeTrackedFiles keeps build output out of git: no tracked file
// outside a testdata folder is over 1 MB. Outside a git checkout (a
// source tarball) there is nothing to check.
func TestNoLargeTrackedFiles(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Skip("not in a git checkout")
	}
	root := strings.TrimSpace(string(top))
	cmd := exec.Command("git", "ls-files", "-z")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	checked := 0
	for _, name := range bytes.Split(out, []byte{0}) {
		if len(name) == 0 {
			continue
		}
		path := string(name)
		if inTestdata(path) {
			continue
		}
		st, err := os.Lstat(filepath.Join(root, path))
		if err != nil {
			continue // deleted in the work tree, not yet committed
		}
		checked++
		if st.Mode().IsRegular() && st.Size() > maxTrackedFile {
			t.Errorf("%s is tracked by git and %d bytes (over 1 MB): build output or data belongs in .gitignore, test data in a testdata folder", path, st.Size())
		}
	}
	if checked == 0 {
		t.Fatal("git ls-files listed no files")
	}
}

func inTestdata(path string) bool {
	for _, part := range strings.Split(path, "/") {
		if part == "testdata" {
			return true
		}
	}
	return false
}

// Every fuzz target of the repository is in .ci/fuzz's list, so CI runs
// each one.
func TestEveryFuzzTargetRunsInCI(t *testing.T) {
	list, err := os.ReadFile("../../.ci/fuzz")
	if err != nil {
		t.Skipf("no .ci/fuzz: %v", err)
	}
	re := regexp.MustCompile(`(?m)^func (Fuzz\w+)\(`)
	err = filepath.WalkDir("../..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllSubmatch(b, -1) {
			if !strings.Contains(string(list), " "+string(m[1])+" ") {
				t.Errorf("%s (%s) is not in .ci/fuzz", m[1], path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
