package tcpframe

import (
	"bytes"
	"errors"
	"net"
	"sync"
	"time"
)

// Conn is one agent connection.
type Conn struct {
	conn    net.Conn
	idle    time.Duration
	readBuf bytes.Buffer
	queue   chan<- inbound

	wmu  sync.Mutex
	wbuf []byte
}

// inbound is a package waiting for a worker, with the connection it came from.
type inbound struct {
	conn *Conn
	pkg  *Package
}

func newConn(nc net.Conn, idle time.Duration, queue chan<- inbound) *Conn {
	return &Conn{conn: nc, idle: idle, queue: queue}
}

// RemoteAddr is the agent's address.
func (c *Conn) RemoteAddr() net.Addr {
	return c.conn.RemoteAddr()
}

// readLoop reads from the socket into readBuf and queues every complete
// package for the workers. It returns when the connection fails or idles out.
func (c *Conn) readLoop() error {
	buf := make([]byte, 32*1024)
	for {
		if err := c.conn.SetReadDeadline(time.Now().Add(c.idle)); err != nil {
			return err
		}
		n, err := c.conn.Read(buf)
		if err != nil {
			return err
		}
		c.readBuf.Write(buf[:n])
		for {
			pkg, err := c.ParsePackage()
			if errors.Is(err, errIncomplete) {
				break
			}
			if err != nil {
				return err
			}
			if pkg.Type == TypeHeartbeat {
				continue
			}
			c.queue <- inbound{conn: c, pkg: pkg}
		}
	}
}

// Send writes one package. The encoding buffer is reused, which is safe:
// the write completes before the lock is released.
func (c *Conn) Send(typ uint16, payload []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.wbuf = AppendPackage(c.wbuf[:0], typ, payload)
	_, err := c.conn.Write(c.wbuf)
	return err
}
