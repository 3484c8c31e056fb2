/* formfactors.c - scattering data of the elements: atomic number Z, coherent neutron
 * scattering length and neutral-atom X-ray form factor, and the species-name helpers.
 *
 * X-ray form factors: the analytic fit of Waasmaier & Kirfel, Acta Cryst. A51, 416-431
 * (1995), five Gaussians plus a constant,
 *     f(s) = sum_{i=1..5} a_i exp(-b_i s^2) + c,   s = sin(theta)/lambda = k / (4 pi),
 * valid for 0 <= s <= 6 A^-1 (k <= 75 A^-1). f(0) = sum a_i + c equals Z to about 0.01 for
 * neutral atoms (checked by the unit tests for every entry). The coefficients are the
 * published ones for neutral atoms.
 *
 * Neutron coherent scattering lengths b_coh (fm) of the natural elements from the NIST
 * table (V. F. Sears, Neutron News 3, 26 (1992)). Natural boron absorbs strongly (10B,
 * b = 5.30 - 0.213i fm); only the real part is used here: a neutron-weighted curve for a
 * borate computed with it describes an 11B-enriched sample, not natural boron. Li has a
 * negative length (-1.90 fm), which the weighting handles as it is.
 *
 * Elements are found from species names by their leading symbol: an upper-case letter
 * and an optional lower-case one ("Na", "Na1", "Si_b" -> Na, Na, Si; "S2" -> S). */
#include <ctype.h>
#include <math.h>
#include <string.h>

#include "glassmd/units.h"
#include "structure_internal.h"

/* symbol, Z, b_coh (fm), a1..a5, b1..b5, c */
static const gmd_element ELEMENTS[] = {
    {"Li",
     3,
     -1.90,
     {0.974637, 0.158472, 0.811855, 0.262416, 0.790108},
     {4.334946, 0.342451, 97.102966, 201.363831, 1.409234},
     0.002542},
    {"B",
     5,
     5.30,
     {2.085185, 1.064580, 1.062788, 0.140515, 0.641784},
     {23.494068, 1.137894, 61.238976, 0.114886, 0.399036},
     0.003823},
    {"O",
     8,
     5.803,
     {2.960427, 2.508818, 0.637853, 0.722838, 1.142756},
     {14.182259, 5.936858, 0.112726, 34.958481, 0.390240},
     0.027014},
    {"F",
     9,
     5.654,
     {3.511943, 2.772244, 0.678385, 0.915159, 1.089261},
     {10.687859, 4.380466, 0.093982, 27.255203, 0.313066},
     0.032557},
    {"Na",
     11,
     3.63,
     {4.910127, 3.081783, 1.262067, 1.098938, 0.560991},
     {3.281434, 9.119178, 0.102763, 132.013947, 0.405878},
     0.079712},
    {"Mg",
     12,
     5.375,
     {4.708971, 1.194814, 1.558157, 1.170413, 3.239403},
     {4.875207, 108.506081, 0.111516, 48.292408, 1.928171},
     0.126842},
    {"Al",
     13,
     3.449,
     {4.730796, 2.313951, 1.541980, 1.117564, 3.154754},
     {3.628931, 43.051167, 0.095960, 108.932388, 1.555918},
     0.139509},
    {"Si",
     14,
     4.1491,
     {5.275329, 3.191038, 1.511514, 1.356849, 2.519114},
     {2.631338, 33.730728, 0.081119, 86.288643, 1.170087},
     0.145073},
    {"P",
     15,
     5.13,
     {1.950541, 4.146930, 1.494560, 1.522042, 5.729711},
     {0.908139, 27.044952, 0.071280, 67.520187, 1.981173},
     0.155233},
    {"S",
     16,
     2.847,
     {6.372157, 5.154568, 1.473732, 1.635073, 1.209372},
     {1.514347, 22.092527, 0.061373, 55.445175, 0.646925},
     0.154722},
    {"Cl",
     17,
     9.577,
     {1.446071, 6.870609, 6.151801, 1.750347, 0.634168},
     {0.052357, 1.193165, 18.343416, 46.398396, 0.401005},
     0.146773},
    {"K",
     19,
     3.67,
     {8.163991, 7.146945, 1.070140, 0.877316, 1.486434},
     {12.816323, 0.808945, 210.327011, 39.597652, 0.052821},
     0.253614},
    {"Ca",
     20,
     4.70,
     {8.593655, 1.477324, 1.436254, 1.182839, 7.113258},
     {10.460644, 0.041891, 81.390381, 169.847839, 0.688098},
     0.196255},
    {"Zn",
     30,
     5.680,
     {14.741002, 6.907748, 4.642337, 2.191766, 38.424042},
     {3.388232, 0.243315, 11.903689, 63.312130, 0.000397},
     -36.915829},
    {"Ga",
     31,
     7.288,
     {15.758946, 6.841123, 4.121016, 2.714681, 2.395246},
     {3.121754, 0.226057, 12.482196, 66.203621, 0.007238},
     -0.847395},
    {"Ge",
     32,
     8.185,
     {16.540613, 1.567900, 3.727829, 3.345098, 6.785079},
     {2.866618, 0.012198, 13.432163, 58.866047, 0.210974},
     0.018726},
    {"As",
     33,
     6.58,
     {17.025642, 4.503441, 3.715904, 3.937200, 6.790175},
     {2.597739, 0.003012, 14.272119, 50.437996, 0.193015},
     -2.984117},
    {"Se",
     34,
     7.970,
     {17.354071, 4.653248, 4.259489, 4.136455, 6.749163},
     {2.349787, 0.002550, 15.579460, 45.181202, 0.177432},
     -3.160982},
    {"Ag",
     47,
     5.922,
     {6.073874, 17.155437, 4.173344, 0.852238, 17.988686},
     {0.055333, 7.896512, 28.443739, 110.376106, 0.716809},
     0.756603},
    {"Sn",
     50,
     6.225,
     {19.325171, 6.281571, 4.498866, 1.856934, 17.917318},
     {6.118104, 0.036915, 32.529045, 95.037186, 0.565651},
     0.119024},
    {"Te",
     52,
     5.80,
     {6.660302, 6.940756, 19.847015, 1.557175, 17.802427},
     {33.031654, 0.025750, 5.065547, 84.101616, 0.487660},
     -0.806668},
    {"I",
     53,
     5.28,
     {19.884502, 6.736593, 8.110516, 1.170953, 17.548716},
     {4.628591, 0.027754, 31.849096, 84.406387, 0.463550},
     -0.448811},
};

#define NELEMENTS ((int)(sizeof ELEMENTS / sizeof ELEMENTS[0]))

const gmd_element *gmd_element_table(int *count)
{
    *count = NELEMENTS;
    return ELEMENTS;
}

const gmd_element *gmd_element_lookup(const char *species_name)
{
    char sym[3] = {0};
    if (!species_name || !isupper((unsigned char)species_name[0])) return NULL;
    sym[0] = species_name[0];
    if (islower((unsigned char)species_name[1])) sym[1] = species_name[1];
    for (int e = 0; e < NELEMENTS; e++)
        if (strcmp(ELEMENTS[e].symbol, sym) == 0) return &ELEMENTS[e];
    return NULL;
}

double gmd_xray_form_factor(const gmd_element *el, double k)
{
    double s = k / (4.0 * GMD_PI);
    double f = el->c;
    for (int i = 0; i < 5; i++)
        f += el->a[i] * exp(-el->b[i] * s * s);
    return f;
}

int gmd_species_find(const gmd_species_table *sp, const char *name)
{
    for (int s = 0; s < sp->n; s++)
        if (strcmp(sp->name[s], name) == 0) return s;
    return -1;
}

int gmd_split_names(const char *spec, char names[3][GMD_NAME_LEN])
{
    int part = 0;
    size_t len = 0;
    for (const char *p = spec;; p++) {
        if (*p == '-' || *p == '\0') {
            if (len == 0 || part >= 3) return 0;
            names[part][len] = '\0';
            part++;
            len = 0;
            if (*p == '\0') break;
            continue;
        }
        if (len + 1 >= GMD_NAME_LEN || isspace((unsigned char)*p)) return 0;
        if (part >= 3) return 0;
        names[part][len++] = *p;
    }
    return part;
}
