// GLPK, the GNU Linear Programming Kit (Debian: libglpk-dev), for the suppression and audit LPs.
#include <glpk.h>
