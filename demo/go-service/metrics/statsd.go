// Package metrics sends counters and timings to a statsd agent over UDP.
package metrics

import (
	"errors"
	"fmt"
	"math/rand"
	"net"
	"strings"
	"sync"
	"time"
)

// Client is a minimal statsd client.
type Client struct {
	mu     sync.Mutex
	conn   net.Conn
	prefix string
	rate   float64
}

// New dials the agent and validates the options.
func New(addr, prefix string, rate float64) (*Client, error) {
	conn, err := net.Dial("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("statsd: dial %s: %w", addr, err)
	}
	prefix = strings.TrimSuffix(prefix, ".")
	if prefix == "" {
		return nil, errors.New("statsd: empty metric prefix")
	}
	if rate <= 0 || rate > 1 {
		return nil, fmt.Errorf("statsd: sample rate %v out of range (0, 1]", rate)
	}
	return &Client{conn: conn, prefix: prefix, rate: rate}, nil
}

// Incr adds one to a counter.
func (c *Client) Incr(name string, tags ...string) {
	c.send(name, "1|c", tags)
}

// Timing records a duration in milliseconds.
func (c *Client) Timing(name string, d time.Duration, tags ...string) {
	c.send(name, fmt.Sprintf("%d|ms", d.Milliseconds()), tags)
}

func (c *Client) send(name, value string, tags []string) {
	if c.rate < 1 && rand.Float64() > c.rate {
		return
	}
	line := fmt.Sprintf("%s.%s:%s|@%g", c.prefix, name, value, c.rate)
	if len(tags) > 0 {
		line += "|#" + strings.Join(tags, ",")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, _ = c.conn.Write([]byte(line))
}

// Close releases the socket.
func (c *Client) Close() error {
	return c.conn.Close()
}
