/*
 * cmark: the classic embedded-benchmark mix, written for tsvm. Each round generates fresh data
 * from a xorshift generator and runs
 *   - linked lists: build, find, reverse, merge sort (by key, then back by index through a
 *     comparator pointer), delete; checked sorted;
 *   - matrices: multiply, add and scale by constants, row/column reductions;
 *   - a byte-level state machine that classifies number-like tokens in generated text;
 *   - CRC-16/CCITT (bitwise) over each part's results and CRC-32 (table) over the round.
 * Unsigned arithmetic throughout, so the host and the guest compute the same bits.
 */
#include <stdint.h>

#include "../workload.h"

#define LIST_NODES 160
#define MATRIX_N 10
#define TEXT_BYTES 384

static uint32_t rng_state;

static uint32_t rng_next(void) {
  uint32_t x = rng_state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return rng_state = x;
}

/* ---- CRCs ---- */

static uint16_t crc16_byte(uint16_t crc, uint8_t byte) {
  crc ^= (uint16_t)(byte << 8);
  for (int bit = 0; bit < 8; bit++) crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
  return crc;
}

static uint16_t crc16_u32(uint16_t crc, uint32_t value) {
  for (int i = 0; i < 4; i++, value >>= 8) crc = crc16_byte(crc, (uint8_t)value);
  return crc;
}

static uint32_t crc32_table[256];

static void crc32_init(void) {
  for (uint32_t n = 0; n < 256; n++) {
    uint32_t c = n;
    for (int bit = 0; bit < 8; bit++) c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
    crc32_table[n] = c;
  }
}

static uint32_t crc32_u32(uint32_t crc, uint32_t value) {
  for (int i = 0; i < 4; i++, value >>= 8) crc = crc32_table[(crc ^ value) & 0xff] ^ (crc >> 8);
  return crc;
}

/* ---- linked lists ---- */

struct node {
  struct node *next;
  int32_t key;
  uint16_t index;
  uint16_t tag;
};

static struct node pool[LIST_NODES];

typedef int (*node_order)(const struct node *a, const struct node *b);

static int by_key(const struct node *a, const struct node *b) {
  return a->key < b->key ? -1 : a->key > b->key ? 1 : (int)a->index - (int)b->index;
}

static int by_index(const struct node *a, const struct node *b) { return (int)a->index - (int)b->index; }

static struct node *list_build(void) {
  struct node *head = 0;
  for (int i = LIST_NODES - 1; i >= 0; i--) {
    pool[i].key = (int32_t)(rng_next() % 4096) - 2048;
    pool[i].index = (uint16_t)i;
    pool[i].tag = (uint16_t)(rng_next() & 7);
    pool[i].next = head;
    head = &pool[i];
  }
  return head;
}

static struct node *list_find(struct node *head, int32_t key) {
  for (; head; head = head->next)
    if (head->key == key) return head;
  return 0;
}

static struct node *list_reverse(struct node *head) {
  struct node *done = 0;
  while (head) {
    struct node *next = head->next;
    head->next = done;
    done = head;
    head = next;
  }
  return done;
}

static struct node *list_merge(struct node *a, struct node *b, node_order order) {
  struct node merged;
  struct node *tail = &merged;
  while (a && b) {
    if (order(a, b) <= 0) {
      tail->next = a;
      a = a->next;
    } else {
      tail->next = b;
      b = b->next;
    }
    tail = tail->next;
  }
  tail->next = a ? a : b;
  return merged.next;
}

/* Top-down merge sort: split at the middle found with a slow and a fast pointer. */
static struct node *list_sort(struct node *head, node_order order) {
  if (!head || !head->next) return head;
  struct node *slow = head, *fast = head->next;
  while (fast && fast->next) {
    slow = slow->next;
    fast = fast->next->next;
  }
  struct node *second = slow->next;
  slow->next = 0;
  return list_merge(list_sort(head, order), list_sort(second, order), order);
}

static uint32_t list_is_sorted(const struct node *head, node_order order) {
  for (; head && head->next; head = head->next)
    if (order(head, head->next) > 0) return 0;
  return 1;
}

static struct node *list_remove_tag(struct node *head, uint16_t tag, uint32_t *removed) {
  struct node **link = &head;
  while (*link) {
    if ((*link)->tag == tag) {
      *link = (*link)->next;
      ++*removed;
    } else {
      link = &(*link)->next;
    }
  }
  return head;
}

static uint32_t list_round(uint32_t round) {
  struct node *head = list_build();
  uint16_t crc = 0xffff;

  uint32_t found = 0, position_sum = 0;
  for (int probe = 0; probe < 12; probe++) {
    /* Half the probes look for keys that are present, half for random ones. */
    int32_t key = probe & 1 ? (int32_t)(rng_next() % 4096) - 2048 : pool[rng_next() % LIST_NODES].key;
    struct node *hit = list_find(head, key);
    if (hit) {
      found++;
      position_sum += hit->index;
    }
  }
  crc = crc16_u32(crc, found);
  crc = crc16_u32(crc, position_sum);

  head = list_reverse(head);
  crc = crc16_u32(crc, (uint32_t)head->key);
  head = list_sort(head, by_key);
  uint32_t sorted = list_is_sorted(head, by_key);
  for (const struct node *n = head; n; n = n->next) crc = crc16_u32(crc, (uint32_t)n->key);

  uint32_t removed = 0;
  head = list_remove_tag(head, (uint16_t)(round & 7), &removed);
  head = list_sort(head, by_index);
  sorted &= list_is_sorted(head, by_index);
  uint32_t weighted = 0;
  for (const struct node *n = head; n; n = n->next) weighted = weighted * 31 + (uint32_t)n->key;
  crc = crc16_u32(crc, weighted);
  crc = crc16_u32(crc, removed);
  return (uint32_t)crc | (sorted ? 0 : 0xdead0000u);
}

/* ---- matrices ---- */

static int16_t mat_a[MATRIX_N][MATRIX_N], mat_b[MATRIX_N][MATRIX_N];
static uint32_t mat_c[MATRIX_N][MATRIX_N];

static void matrix_fill(int16_t m[MATRIX_N][MATRIX_N]) {
  for (int i = 0; i < MATRIX_N; i++)
    for (int j = 0; j < MATRIX_N; j++) m[i][j] = (int16_t)((rng_next() & 0x3ff) - 0x200);
}

static void matrix_multiply(void) {
  for (int i = 0; i < MATRIX_N; i++)
    for (int j = 0; j < MATRIX_N; j++) {
      uint32_t sum = 0;
      for (int k = 0; k < MATRIX_N; k++) sum += (uint32_t)((int32_t)mat_a[i][k] * mat_b[k][j]);
      mat_c[i][j] = sum;
    }
}

static void matrix_add_constant(uint32_t value) {
  for (int i = 0; i < MATRIX_N; i++)
    for (int j = 0; j < MATRIX_N; j++) mat_c[i][j] += value;
}

static void matrix_scale(uint32_t factor) {
  for (int i = 0; i < MATRIX_N; i++)
    for (int j = 0; j < MATRIX_N; j++) mat_c[i][j] *= factor;
}

static uint32_t matrix_round(void) {
  matrix_fill(mat_a);
  matrix_fill(mat_b);
  matrix_multiply();
  matrix_add_constant(rng_next() & 0xffff);
  matrix_scale((rng_next() & 0xff) | 1);
  uint16_t crc = 0xffff;
  uint32_t diagonal = 0, max_row_sum = 0;
  for (int i = 0; i < MATRIX_N; i++) {
    uint32_t row_sum = 0;
    for (int j = 0; j < MATRIX_N; j++) {
      row_sum += mat_c[i][j] >> 4;
      crc = crc16_byte(crc, (uint8_t)mat_c[i][j]);
    }
    if (row_sum > max_row_sum) max_row_sum = row_sum;
    diagonal ^= mat_c[i][i];
  }
  crc = crc16_u32(crc, diagonal);
  crc = crc16_u32(crc, max_row_sum);
  return crc;
}

/* ---- a state machine over text ---- */

enum scan_state { START, SIGN, INTEGER, POINT, FRACTION, EXPONENT, EXPONENT_SIGN, EXPONENT_DIGITS, INVALID, STATES };

static uint8_t text[TEXT_BYTES];
static const char alphabet[] = "0123456789012345678901234567+-..eE,,   \nx";

static void text_generate(void) {
  for (int i = 0; i < TEXT_BYTES; i++) text[i] = (uint8_t)alphabet[rng_next() % (sizeof alphabet - 1)];
}

static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

static enum scan_state scan_step(enum scan_state state, uint8_t c) {
  switch (state) {
  case START:
    return c == '+' || c == '-' ? SIGN : is_digit(c) ? INTEGER : c == '.' ? POINT : INVALID;
  case SIGN:
    return is_digit(c) ? INTEGER : c == '.' ? POINT : INVALID;
  case INTEGER:
    return is_digit(c) ? INTEGER : c == '.' ? POINT : c == 'e' || c == 'E' ? EXPONENT : INVALID;
  case POINT:
    return is_digit(c) ? FRACTION : INVALID;
  case FRACTION:
    return is_digit(c) ? FRACTION : c == 'e' || c == 'E' ? EXPONENT : INVALID;
  case EXPONENT:
    return c == '+' || c == '-' ? EXPONENT_SIGN : is_digit(c) ? EXPONENT_DIGITS : INVALID;
  case EXPONENT_SIGN:
  case EXPONENT_DIGITS:
    return is_digit(c) ? EXPONENT_DIGITS : INVALID;
  default:
    return INVALID;
  }
}

static uint32_t scan_round(void) {
  text_generate();
  uint32_t final_counts[STATES] = {0};
  uint32_t transitions = 0, token_hash = 0;
  enum scan_state state = START;
  for (int i = 0; i <= TEXT_BYTES; i++) {
    uint8_t c = i < TEXT_BYTES ? text[i] : ' ';
    if (c == ',' || c == ' ' || c == '\n') {
      if (state != START) final_counts[state]++;
      token_hash = token_hash * 33 + state;
      state = START;
      continue;
    }
    enum scan_state next = scan_step(state, c);
    transitions += next != state;
    state = next;
  }
  uint16_t crc = 0xffff;
  for (int s = 0; s < STATES; s++) crc = crc16_u32(crc, final_counts[s]);
  crc = crc16_u32(crc, transitions);
  crc = crc16_u32(crc, token_hash);
  return crc;
}

/* ---- the whole run ---- */

static uint32_t cmark_run(uint32_t iterations) {
  crc32_init();
  uint32_t crc = 0xffffffffu;
  for (uint32_t round = 0; round < iterations; round++) {
    rng_state = 0x9e3779b9u ^ (round * 0x85ebca6bu);
    if (!rng_state) rng_state = 1;
    crc = crc32_u32(crc, list_round(round));
    crc = crc32_u32(crc, matrix_round());
    crc = crc32_u32(crc, scan_round());
  }
  return ~crc;
}

const struct workload WORKLOAD = {"cmark", 0, cmark_run};
