/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A DNS server of a few lines for the level-1 VM of boot-linux.sh, which
 * has no network: libslirp in hv-net relays the guest's queries to the
 * host's resolver, this program on 127.0.0.1:53. It answers A queries for
 * the NAME=ADDRESS pairs of its command line and NXDOMAIN to the rest.
 *
 * Usage: dns-stub NAME=ADDRESS...   (runs until killed)
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define DNS_HEADER_LEN 12

/* The query name of PACKET as dotted text; its end (past QTYPE and
 * QCLASS) in *END; 0 if malformed. */
static int
parse_question (const uint8_t *packet, size_t len, char *name, size_t name_len, size_t *end)
{
  size_t at = DNS_HEADER_LEN, out = 0;

  while (at < len && packet[at] != 0)
    {
      size_t label = packet[at++];

      if (label > 63 || at + label > len || out + label + 2 > name_len)
        return 0;
      if (out > 0)
        name[out++] = '.';
      memcpy (name + out, packet + at, label);
      out += label;
      at += label;
    }
  name[out] = '\0';
  if (at + 5 > len)
    return 0;
  *end = at + 5;
  return 1;
}

static const char *
lookup (int argc, char **argv, const char *name)
{
  size_t n = strlen (name);

  for (int i = 1; i < argc; i++)
    {
      if (strncasecmp (argv[i], name, n) == 0 && argv[i][n] == '=')
        return argv[i] + n + 1;
    }
  return NULL;
}

int
main (int argc, char **argv)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons (53) };
  int fd = socket (AF_INET, SOCK_DGRAM, 0);

  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (fd < 0 || bind (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      perror ("dns-stub: 127.0.0.1:53");
      return 1;
    }
  for (;;)
    {
      uint8_t packet[512 + 16];
      struct sockaddr_in peer;
      socklen_t peer_len = sizeof peer;
      ssize_t len = recvfrom (fd, packet, 512, 0, (struct sockaddr *) &peer, &peer_len);
      char name[256];
      size_t end;
      const char *answer;
      struct in_addr a;
      int is_a;

      if (len < DNS_HEADER_LEN || (packet[2] & 0x80) != 0 ||
          !parse_question (packet, len, name, sizeof name, &end))
        continue;
      is_a = packet[end - 4] == 0 && packet[end - 3] == 1;
      answer = lookup (argc, argv, name);
      packet[2] = 0x84 | (packet[2] & 0x01); /* response, authoritative, RD */
      packet[3] = 0x80;                      /* RA */
      memset (packet + 6, 0, 6);             /* no answers, authority, additional */
      if (answer != NULL && is_a && inet_aton (answer, &a))
        {
          /* A pointer to the question's name, type A, class IN, TTL 60. */
          static const uint8_t rr[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4 };

          memcpy (packet + end, rr, sizeof rr);
          memcpy (packet + end + sizeof rr, &a, 4);
          packet[7] = 1;
          end += sizeof rr + 4;
        }
      else if (answer == NULL)
        packet[3] |= 3; /* NXDOMAIN */
      sendto (fd, packet, end, 0, (struct sockaddr *) &peer, peer_len);
    }
}
