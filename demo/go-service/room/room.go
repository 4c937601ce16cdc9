// Package room streams a running build's log to the people following it. Each
// running build gets a room; a busy CI system has hundreds open at once.
package room

import (
	"fmt"
	"sync"

	"example.com/buildsvc/go2cache"
)

// Room is the live log of one build.
type Room struct {
	BuildID int64

	mu        sync.Mutex
	next      int
	followers map[chan []byte]struct{}
	replay    *go2cache.Server
}

// Init prepares the room for its first follower. It runs once per room.
func (r *Room) Init() error {
	replay, err := go2cache.NewServer(fmt.Sprintf("build-%d", r.BuildID))
	if err != nil {
		return err
	}
	r.replay = replay
	r.followers = make(map[chan []byte]struct{})
	return nil
}

// Append records a log line and fans it out to the followers.
func (r *Room) Append(line []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.replay.Put(fmt.Sprint(r.next), line); err != nil {
		return err
	}
	r.next++
	for ch := range r.followers {
		select {
		case ch <- line:
		default: // a slow follower misses live lines and replays them later
		}
	}
	return nil
}

// Follow replays the lines so far and subscribes ch to new ones.
func (r *Room) Follow(ch chan []byte) ([][]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	lines := make([][]byte, 0, r.next)
	for i := 0; i < r.next; i++ {
		line, err := r.replay.Get(fmt.Sprint(i))
		if err != nil {
			return nil, err
		}
		lines = append(lines, line)
	}
	r.followers[ch] = struct{}{}
	return lines, nil
}

// Close ends the room when its build finishes.
func (r *Room) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for ch := range r.followers {
		close(ch)
	}
	r.followers = nil
	return r.replay.Close()
}

// Hub owns the open rooms, one per running build.
type Hub struct {
	mu    sync.Mutex
	rooms map[int64]*Room
}

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{rooms: make(map[int64]*Room)}
}

// Open returns the room of a build, creating it when the build starts.
func (h *Hub) Open(buildID int64) (*Room, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if r, ok := h.rooms[buildID]; ok {
		return r, nil
	}
	r := &Room{BuildID: buildID}
	if err := r.Init(); err != nil {
		return nil, err
	}
	h.rooms[buildID] = r
	return r, nil
}

// Finish closes and forgets the room of a finished build.
func (h *Hub) Finish(buildID int64) error {
	h.mu.Lock()
	r, ok := h.rooms[buildID]
	delete(h.rooms, buildID)
	h.mu.Unlock()
	if !ok {
		return nil
	}
	return r.Close()
}
