// Package go2cache keeps the recent log lines of a build so that a follower
// who joins late can replay them before the live stream starts.
package go2cache

import (
	"errors"
	"time"

	"github.com/allegro/bigcache/v3"
)

// Server stores log lines by key and replays them in order.
type Server struct {
	name  string
	cache *bigcache.BigCache
}

// NewServer builds a replay server with its own cache.
func NewServer(name string) (*Server, error) {
	if name == "" {
		return nil, errors.New("go2cache: empty server name")
	}
	c, err := newBigCache()
	if err != nil {
		return nil, err
	}
	return &Server{name: name, cache: c}, nil
}

// newBigCache sizes the cache for long log lines: up to 16 KB per entry,
// 500 MB at most.
func newBigCache() (*bigcache.BigCache, error) {
	cfg := bigcache.DefaultConfig(10 * time.Minute)
	cfg.Shards = 1024
	cfg.MaxEntrySize = 16 * 1024
	cfg.HardMaxCacheSize = 500
	cfg.Verbose = false
	return bigcache.NewBigCache(cfg)
}

// Put stores one line.
func (s *Server) Put(key string, line []byte) error {
	return s.cache.Set(s.name+"/"+key, line)
}

// Get returns one line.
func (s *Server) Get(key string) ([]byte, error) {
	return s.cache.Get(s.name + "/" + key)
}

// Close releases the cache.
func (s *Server) Close() error {
	return s.cache.Close()
}
