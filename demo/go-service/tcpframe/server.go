package tcpframe

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net"
	"time"
)

// Event is what an agent reports about a build step.
type Event struct {
	Build  int64  `json:"build"`
	Step   string `json:"step"`
	Status string `json:"status"`
	Line   string `json:"line,omitempty"`
}

// Handler receives the events of every connection, one worker at a time.
type Handler func(ctx context.Context, from *Conn, ev Event) error

// Server accepts agent connections and hands their packages to a fixed pool
// of workers, so a slow handler never stalls a socket.
type Server struct {
	Handler     Handler
	Workers     int
	IdleTimeout time.Duration
}

// Serve accepts connections on ln until ctx is done or Accept fails.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	queue := make(chan inbound, 1024)
	for i := 0; i < s.Workers; i++ {
		go s.work(ctx, queue)
	}
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	for {
		nc, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		c := newConn(nc, s.IdleTimeout, queue)
		go func() {
			defer nc.Close()
			if err := c.readLoop(); err != nil && !errors.Is(err, net.ErrClosed) {
				log.Printf("tcpframe: %s: %v", c.RemoteAddr(), err)
			}
		}()
	}
}

// work decodes queued packages and runs the handler.
func (s *Server) work(ctx context.Context, queue <-chan inbound) {
	for in := range queue {
		var ev Event
		if err := json.Unmarshal(in.pkg.Data, &ev); err != nil {
			log.Printf("tcpframe: %s: bad event: %v", in.conn.RemoteAddr(), err)
			continue
		}
		if err := s.Handler(ctx, in.conn, ev); err != nil {
			log.Printf("tcpframe: %s: handler: %v", in.conn.RemoteAddr(), err)
		}
	}
}
