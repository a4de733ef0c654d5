/* keys.h -- byte strings of up to 8 bytes as integers, and their sort
 * (keys.c; not installed): the n-gram tables (ngram.c) and the duplicate
 * share (text_overlap.c). */
#ifndef GRULAB_KEYS_H
#define GRULAB_KEYS_H

#include <stddef.h>
#include <stdint.h>

/* The k <= 8 bytes at b packed into one integer, the first byte highest:
 * keys of equal length then sort as their byte strings do. */
uint64_t grl_key_pack(const unsigned char *b, size_t k);

/* Sort key[0..m) in ascending order, every key below 2^(8k); tmp is m
 * keys of scratch. */
void grl_keys_sort(uint64_t *key, uint64_t *tmp, size_t m, size_t k);

#endif
