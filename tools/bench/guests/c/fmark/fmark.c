/*
 * fmark: double-precision float loops, built for the guest with gcc -mfpmath=387 (x87 code) and
 * for the host with SSE. Each round runs
 *   - a Mandelbrot set on a small grid (iteration counts per pixel),
 *   - Simpson's rule for the integral of 4 / (1 + x^2) over [0, 1] (pi),
 *   - a few steps of a softened five-body gravity simulation (sqrt, division),
 *   - a histogram through double-to-int conversion;
 * and folds the exact bits of every result into a checksum. Only +, -, *, / and sqrt on normal
 * numbers: with the x87 at 53-bit precision each rounds exactly like an IEEE double.
 */
#include <stdint.h>

#include "../workload.h"

#define GRID_W 24
#define GRID_H 16
#define MAX_ITER 48
#define SIMPSON_STEPS 64
#define BODIES 5
#define STEPS 6

static uint32_t mix(uint32_t hash, uint32_t value) {
  hash ^= value;
  hash *= 0x01000193u; /* FNV-1a style, one 32-bit word at a time */
  return hash ^ (hash >> 15);
}

static uint32_t mix_double(uint32_t hash, double value) {
  union {
    double d;
    uint32_t w[2];
  } bits = {value};
  return mix(mix(hash, bits.w[0]), bits.w[1]);
}

static uint32_t mandelbrot(double shift) {
  uint32_t hash = 0, total = 0;
  for (int py = 0; py < GRID_H; py++) {
    double ci = -1.125 + 2.25 * py / GRID_H + shift;
    for (int px = 0; px < GRID_W; px++) {
      double cr = -2.0 + 2.625 * px / GRID_W - shift;
      double zr = 0, zi = 0;
      int n = 0;
      while (n < MAX_ITER && zr * zr + zi * zi <= 4.0) {
        double t = zr * zr - zi * zi + cr;
        zi = 2.0 * zr * zi + ci;
        zr = t;
        n++;
      }
      total += (uint32_t)n;
      hash = mix(hash, (uint32_t)n);
    }
  }
  return mix(hash, total);
}

static double simpson_pi(int steps, double stretch) {
  double h = 1.0 / steps, sum = 0;
  for (int i = 0; i <= steps; i++) {
    double x = i * h;
    double f = 4.0 / (1.0 + stretch * x * x);
    sum += (i == 0 || i == steps) ? f : (i & 1) ? 4.0 * f : 2.0 * f;
  }
  return sum * h / 3.0;
}

struct body {
  double x, y, z, vx, vy, vz, mass;
};

static struct body bodies[BODIES];

static void bodies_init(uint32_t round) {
  for (int i = 0; i < BODIES; i++) {
    double k = (double)(i + 1);
    bodies[i] = (struct body){k * 1.5, -k * 0.75 + (round % 7) * 0.125, k * 0.5, 0.01 * k, -0.02 * k, 0.005, 1.0 / k};
  }
}

static void bodies_step(double dt) {
  for (int i = 0; i < BODIES; i++)
    for (int j = i + 1; j < BODIES; j++) {
      double dx = bodies[i].x - bodies[j].x, dy = bodies[i].y - bodies[j].y, dz = bodies[i].z - bodies[j].z;
      double d2 = dx * dx + dy * dy + dz * dz + 0.01; /* softened: never zero */
      double d = __builtin_sqrt(d2);
      double f = dt / (d2 * d);
      bodies[i].vx -= dx * bodies[j].mass * f;
      bodies[i].vy -= dy * bodies[j].mass * f;
      bodies[i].vz -= dz * bodies[j].mass * f;
      bodies[j].vx += dx * bodies[i].mass * f;
      bodies[j].vy += dy * bodies[i].mass * f;
      bodies[j].vz += dz * bodies[i].mass * f;
    }
  for (int i = 0; i < BODIES; i++) {
    bodies[i].x += dt * bodies[i].vx;
    bodies[i].y += dt * bodies[i].vy;
    bodies[i].z += dt * bodies[i].vz;
  }
}

static double bodies_energy(void) {
  double e = 0;
  for (int i = 0; i < BODIES; i++) {
    const struct body *b = &bodies[i];
    e += 0.5 * b->mass * (b->vx * b->vx + b->vy * b->vy + b->vz * b->vz);
    for (int j = i + 1; j < BODIES; j++) {
      double dx = b->x - bodies[j].x, dy = b->y - bodies[j].y, dz = b->z - bodies[j].z;
      e -= b->mass * bodies[j].mass / __builtin_sqrt(dx * dx + dy * dy + dz * dz + 0.01);
    }
  }
  return e;
}

static uint32_t histogram(double seed) {
  uint32_t bins[8] = {0};
  double x = seed;
  for (int i = 0; i < 64; i++) {
    x = 3.7 * x * (1.0 - x); /* logistic map: stays in (0, 1) */
    bins[(int32_t)(x * 8.0)]++;
  }
  uint32_t hash = 0;
  for (int b = 0; b < 8; b++) hash = mix(hash, bins[b]);
  return hash;
}

static uint32_t fmark_run(uint32_t iterations) {
  uint32_t hash = 0x811c9dc5u;
  for (uint32_t round = 0; round < iterations; round++) {
    double shift = (round % 16) * 0.0078125;
    hash = mix(hash, mandelbrot(shift));
    hash = mix_double(hash, simpson_pi(SIMPSON_STEPS + 2 * (int)(round % 8), 1.0 + shift));
    bodies_init(round);
    for (int s = 0; s < STEPS; s++) bodies_step(0.01);
    hash = mix_double(hash, bodies_energy());
    hash = mix_double(hash, bodies[round % BODIES].x);
    hash = mix(hash, histogram(0.1 + shift));
  }
  return hash;
}

const struct workload WORKLOAD = {"fmark", 1, fmark_run};
