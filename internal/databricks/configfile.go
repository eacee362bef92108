package databricks

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Profile is one section of a Databricks configuration file (~/.databrickscfg), the
// file the Databricks CLI and SDKs share.
type Profile struct {
	Name        string
	Host        string
	Token       string
	WarehouseID string
	// Settings holds every key of the profile, lower-cased: auth_type, client_id,
	// client_secret and the other names of Databricks unified authentication.
	Settings map[string]string
}

// ErrProfileNotFound is a profile the configuration file does not have.
var ErrProfileNotFound = errors.New("profile not found")

// DefaultConfigFile is where the Databricks CLI keeps its profiles.
const DefaultConfigFile = "~/.databrickscfg"

// LoadProfile reads one profile from the INI file at path ("~/" is expanded). An empty
// name selects [__settings__] default_profile, else DEFAULT, as the Databricks CLI does.
// A missing file is an error matching fs.ErrNotExist; a missing profile one matching
// ErrProfileNotFound.
func LoadProfile(path, name string) (*Profile, error) {
	expanded, err := expandHome(path)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(expanded)
	if err != nil {
		return nil, err
	}
	defer f.Close()

	sections := map[string]map[string]string{}
	current := ""
	sc := bufio.NewScanner(f)
	for lineNo := 1; sc.Scan(); lineNo++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[':
			if !strings.HasSuffix(line, "]") {
				return nil, fmt.Errorf("%s line %d: a section header must end with ]", path, lineNo)
			}
			current = strings.TrimSpace(line[1 : len(line)-1])
			if sections[current] == nil {
				sections[current] = map[string]string{}
			}
		default:
			key, value, ok := strings.Cut(line, "=")
			if !ok {
				return nil, fmt.Errorf("%s line %d: expected key = value", path, lineNo)
			}
			if sections[current] == nil {
				sections[current] = map[string]string{}
			}
			sections[current][strings.ToLower(strings.TrimSpace(key))] = strings.TrimSpace(value)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}

	if name == "" {
		name = sections["__settings__"]["default_profile"]
	}
	if name == "" {
		name = "DEFAULT"
	}
	section, ok := sections[name]
	if !ok {
		return nil, fmt.Errorf("%s has no [%s] profile: %w", path, name, ErrProfileNotFound)
	}
	return &Profile{Name: name, Host: section["host"], Token: section["token"], WarehouseID: section["warehouse_id"], Settings: section}, nil
}

func expandHome(path string) (string, error) {
	if path != "~" && !strings.HasPrefix(path, "~/") {
		return path, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("expanding %s: %w", path, err)
	}
	return filepath.Join(home, strings.TrimPrefix(path, "~")), nil
}
