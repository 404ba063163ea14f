// Package pii protects residents' personal data: identity numbers and phones
// are encrypted at rest with AES-256-GCM under a key kept outside the
// database, found by exact value through a keyed hash (an HMAC blind index),
// and shown masked. It also checks identity card numbers (GB 11643).
//
// The key lives in a file created on first start with mode 0600
// (<data>/pii.key) or in GRASSROOTS_PII_KEY. Several instances on one
// PostgreSQL must share it. Each ciphertext names the key it was made with,
// and the database records which key is current, so that rotating the key
// (Rotate, the `grassroots pii rotate-key` command) can re-encrypt every
// registered column in one transaction and a crash at any point leaves data
// that the keyring can still read.
package pii

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/crypto/hkdf"

	"grassroots/internal/platform/db"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the key state table.
var Migrations = db.Migrations{Module: "pii", FS: db.Sub(migrationFiles, "migrations")}

// KeyEnv is the environment variable that may hold the keys (base64,
// comma-separated), instead of key files.
const KeyEnv = "GRASSROOTS_PII_KEY"

// KeyFile is the key file's name in the data folder; rotated-out keys are
// kept beside it as pii.key.<kid>.
const KeyFile = "pii.key"

type key struct {
	kid   string
	enc   cipher.AEAD
	index []byte
	raw   []byte
}

func newKey(raw []byte) (*key, error) {
	if len(raw) != 32 {
		return nil, fmt.Errorf("a personal-data key is 32 bytes, not %d", len(raw))
	}
	sum := sha256.Sum256(raw)
	k := &key{kid: hex.EncodeToString(sum[:4]), raw: raw}
	derive := func(label string) []byte {
		out := make([]byte, 32)
		if _, err := io.ReadFull(hkdf.New(sha256.New, raw, nil, []byte("grassroots pii "+label)), out); err != nil {
			panic(err)
		}
		return out
	}
	block, err := aes.NewCipher(derive("encryption"))
	if err != nil {
		return nil, err
	}
	if k.enc, err = cipher.NewGCM(block); err != nil {
		return nil, err
	}
	k.index = derive("blind index")
	return k, nil
}

// Vault encrypts, decrypts and indexes personal fields.
type Vault struct {
	current *key
	keys    map[string]*key
	dir     string // where key files live ("" when the keys come from the environment)
}

// Open loads the keyring from the environment value env (if set) or from
// the key files in dataDir, creating a new key file on first start, and
// picks the current key from the database's record (recording it on first
// start).
func Open(ctx context.Context, d *db.DB, dataDir, env string) (*Vault, error) {
	v := &Vault{keys: map[string]*key{}}
	var raws [][]byte
	if env != "" {
		for _, part := range strings.Split(env, ",") {
			raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(part))
			if err != nil {
				return nil, fmt.Errorf("%s: not base64: %w", KeyEnv, err)
			}
			raws = append(raws, raw)
		}
	} else {
		v.dir = dataDir
		var err error
		if raws, err = readKeyFiles(dataDir); err != nil {
			return nil, err
		}
	}
	for _, raw := range raws {
		k, err := newKey(raw)
		if err != nil {
			return nil, err
		}
		v.keys[k.kid] = k
		if v.current == nil {
			v.current = k
		}
	}
	var kid string
	err := d.QueryRow(ctx, `SELECT current_kid FROM pii_state WHERE id = 1`).Scan(&kid)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := d.Exec(ctx, `INSERT INTO pii_state (id, current_kid) VALUES (1, ?) ON CONFLICT (id) DO NOTHING`, v.current.kid); err != nil {
			return nil, err
		}
		if err := d.QueryRow(ctx, `SELECT current_kid FROM pii_state WHERE id = 1`).Scan(&kid); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	}
	cur, ok := v.keys[kid]
	if !ok {
		return nil, fmt.Errorf("the database's personal data is under key %s, which is not in the keyring (%s or %s)", kid, filepath.Join(dataDir, KeyFile), KeyEnv)
	}
	v.current = cur
	if v.dir != "" {
		if err := v.promote(); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// readKeyFiles reads pii.key and any kept keys beside it, creating pii.key
// (mode 0600) if there is none. pii.key comes first.
func readKeyFiles(dir string) ([][]byte, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	main := filepath.Join(dir, KeyFile)
	if _, err := os.Stat(main); errors.Is(err, os.ErrNotExist) {
		raw := make([]byte, 32)
		if _, err := rand.Read(raw); err != nil {
			return nil, err
		}
		if err := writeKeyFile(main, raw); err != nil {
			return nil, err
		}
	}
	names, err := filepath.Glob(filepath.Join(dir, KeyFile+".*"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out [][]byte
	for _, name := range append([]string{main}, names...) {
		if strings.HasSuffix(name, ".tmp") {
			continue
		}
		info, err := os.Stat(name)
		if err != nil {
			return nil, err
		}
		if info.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("%s can be read by others (mode %o); chmod 600 it", name, info.Mode().Perm())
		}
		text, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(text)))
		if err != nil {
			return nil, fmt.Errorf("%s: not base64: %w", name, err)
		}
		out = append(out, raw)
	}
	return out, nil
}

// writeKeyFile writes a key atomically with mode 0600.
func writeKeyFile(path string, raw []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(base64.StdEncoding.EncodeToString(raw)+"\n"), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// promote makes pii.key hold the current key, keeping any other key as
// pii.key.<kid>; it finishes a rotation that stopped after its commit.
func (v *Vault) promote() error {
	main := filepath.Join(v.dir, KeyFile)
	text, err := os.ReadFile(main)
	if err != nil {
		return err
	}
	raw, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(string(text)))
	if k, err := newKey(raw); err == nil && k.kid == v.current.kid {
		return nil
	}
	if k, err := newKey(raw); err == nil {
		if err := writeKeyFile(filepath.Join(v.dir, KeyFile+"."+k.kid), k.raw); err != nil {
			return err
		}
	}
	if err := writeKeyFile(main, v.current.raw); err != nil {
		return err
	}
	return os.Remove(filepath.Join(v.dir, KeyFile+"."+v.current.kid))
}

// KeyID names the current key.
func (v *Vault) KeyID() string { return v.current.kid }

// Encrypt seals a value for the column it is stored in (the column name
// binds the ciphertext to it). The empty string stays empty.
func (v *Vault) Encrypt(column, plain string) (string, error) {
	if plain == "" {
		return "", nil
	}
	return seal(v.current, column, plain)
}

func seal(k *key, column, plain string) (string, error) {
	nonce := make([]byte, k.enc.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	ct := k.enc.Seal(nonce, nonce, []byte(plain), []byte(column))
	return "v1:" + k.kid + ":" + base64.RawStdEncoding.EncodeToString(ct), nil
}

// Decrypt opens a value sealed by Encrypt with any key of the keyring.
func (v *Vault) Decrypt(column, sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	parts := strings.SplitN(sealed, ":", 3)
	if len(parts) != 3 || parts[0] != "v1" {
		return "", errors.New("pii: not a sealed value")
	}
	k, ok := v.keys[parts[1]]
	if !ok {
		return "", fmt.Errorf("pii: key %s is not in the keyring", parts[1])
	}
	ct, err := base64.RawStdEncoding.DecodeString(parts[2])
	if err != nil || len(ct) < k.enc.NonceSize() {
		return "", errors.New("pii: damaged sealed value")
	}
	plain, err := k.enc.Open(nil, ct[:k.enc.NonceSize()], ct[k.enc.NonceSize():], []byte(column))
	if err != nil {
		return "", errors.New("pii: sealed value does not open (changed, or moved from another column)")
	}
	return string(plain), nil
}

// Index returns the blind index of a normalised value for a kind of value
// ("id_number", "phone"): equal values give equal indexes, and nobody
// without the key can tell what they are. The empty value has none.
func (v *Vault) Index(kind, value string) string {
	if value == "" {
		return ""
	}
	return index(v.current, kind, value)
}

func index(k *key, kind, value string) string {
	m := hmac.New(sha256.New, k.index)
	m.Write([]byte(kind + "\x00" + value))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// Column is a personal field stored encrypted, with its blind index, for
// rotation to re-encrypt: Table.Sealed holds the ciphertext (sealed for
// the column name Sealed), Table.Index (optional) the index of kind Kind.
type Column struct {
	Table  string
	Sealed string
	Index  string
	Kind   string
	// Normalize turns the plain value into what is indexed.
	Normalize func(string) string
}

// Name is the column name ciphertexts of c are bound to.
func (c Column) Name() string { return c.Table + "." + c.Sealed }

// Rotate makes a new key, re-encrypts and re-indexes every given column
// under it in one transaction, and makes it current. With key files, the
// new key is written beside the old one before the transaction and becomes
// pii.key after it; the old key is kept as pii.key.<kid>. With keys from
// the environment, the new key is returned for the operator to add to
// GRASSROOTS_PII_KEY before the next start. record, if set, runs in the
// same transaction (to audit the rotation) with the new key's id and the
// count. It returns the new key's id, its base64 text, and the number of
// values re-encrypted.
func (v *Vault) Rotate(ctx context.Context, d *db.DB, columns []Column, record func(tx *db.Tx, kid string, n int) error) (kid, keyText string, n int, err error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", "", 0, err
	}
	next, err := newKey(raw)
	if err != nil {
		return "", "", 0, err
	}
	if v.dir != "" {
		if err := writeKeyFile(filepath.Join(v.dir, KeyFile+"."+next.kid), raw); err != nil {
			return "", "", 0, err
		}
	}
	err = d.InTx(ctx, func(tx *db.Tx) error {
		for _, c := range columns {
			m, err := v.rotateColumn(ctx, tx, next, c)
			if err != nil {
				return fmt.Errorf("%s: %w", c.Name(), err)
			}
			n += m
		}
		if _, err := tx.Exec(ctx, `UPDATE pii_state SET current_kid = ?, rotated_at = ? WHERE id = 1`, next.kid, time.Now().UTC()); err != nil {
			return err
		}
		if record != nil {
			return record(tx, next.kid, n)
		}
		return nil
	})
	if err != nil {
		return "", "", 0, err
	}
	v.keys[next.kid] = next
	v.current = next
	if v.dir != "" {
		if err := v.promote(); err != nil {
			return "", "", 0, err
		}
	}
	return next.kid, base64.StdEncoding.EncodeToString(raw), n, nil
}

func (v *Vault) rotateColumn(ctx context.Context, tx *db.Tx, next *key, c Column) (int, error) {
	rows, err := tx.Query(ctx, `SELECT id, `+c.Sealed+` FROM `+c.Table+` WHERE `+c.Sealed+` <> ''`)
	if err != nil {
		return 0, err
	}
	type item struct {
		id     int64
		sealed string
	}
	var items []item
	for rows.Next() {
		var it item
		if err := rows.Scan(&it.id, &it.sealed); err != nil {
			rows.Close()
			return 0, err
		}
		items = append(items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, it := range items {
		plain, err := v.Decrypt(c.Name(), it.sealed)
		if err != nil {
			return 0, fmt.Errorf("row %d: %w", it.id, err)
		}
		sealed, err := seal(next, c.Name(), plain)
		if err != nil {
			return 0, err
		}
		if c.Index == "" {
			_, err = tx.Exec(ctx, `UPDATE `+c.Table+` SET `+c.Sealed+` = ? WHERE id = ?`, sealed, it.id)
		} else {
			norm := plain
			if c.Normalize != nil {
				norm = c.Normalize(plain)
			}
			_, err = tx.Exec(ctx, `UPDATE `+c.Table+` SET `+c.Sealed+` = ?, `+c.Index+` = ? WHERE id = ?`, sealed, index(next, c.Kind, norm), it.id)
		}
		if err != nil {
			return 0, err
		}
	}
	return len(items), nil
}
