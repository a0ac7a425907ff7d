# Draws the installable dashboard's icons (assets/icons/*.png, named in manifest.webmanifest)
# from the shapes of assets/favicon.svg, in plain Python: no image tool needed. "maskable" icons
# keep the duck inside the central 80 % safe zone that launchers may crop to a circle.
# Run from assets/icons: python3 ../../packaging/draw-icons.py
import struct, zlib
def hexc(h): return tuple(int(h[i:i+2],16) for i in (1,3,5))
BG=hexc('#fef3c7'); BODY=hexc('#f59e0b'); EYE=hexc('#1f2937'); BEAK=hexc('#ea580c')
def inside_tri(px,py,a,b,c):
    def s(p,q,r): return (p[0]-r[0])*(q[1]-r[1])-(q[0]-r[0])*(p[1]-r[1])
    d1=s((px,py),a,b); d2=s((px,py),b,c); d3=s((px,py),c,a)
    neg=(d1<0) or (d2<0) or (d3<0); pos=(d1>0) or (d2>0) or (d3>0)
    return not (neg and pos)
def color_at(x,y,maskable):
    # x,y in 0..64 icon units
    if maskable: tx,ty,sc=13,11,0.6; bg=True
    else: tx,ty,sc=6,4,0.82; bg=None
    if not maskable:
        r=14; inx=min(max(x,r),64-r); iny=min(max(y,r),64-r)
        if (x-inx)**2+(y-iny)**2>r*r: return None
    u=(x-tx)/sc; v=(y-ty)/sc
    c=BG
    if (u-32)**2+(v-36)**2<=22*22 or (u-40)**2+(v-24)**2<=144: c=BODY
    if (u-44)**2+(v-21)**2<=9: c=EYE
    if inside_tri(u,v,(50,26),(62,28),(50,31)): c=BEAK
    return c
def png(size,maskable,path):
    ss=4; rows=[]
    for j in range(size):
        row=bytearray([0])
        for i in range(size):
            acc=[0,0,0,0]
            for a in range(ss):
                for b in range(ss):
                    x=(i+(a+0.5)/ss)*64/size; y=(j+(b+0.5)/ss)*64/size
                    c=color_at(x,y,maskable)
                    if c: acc[0]+=c[0];acc[1]+=c[1];acc[2]+=c[2];acc[3]+=255
            n=ss*ss; al=acc[3]//n
            if acc[3]: row+=bytes([acc[0]*255//acc[3],acc[1]*255//acc[3],acc[2]*255//acc[3],al])
            else: row+=bytes([0,0,0,0])
        rows.append(bytes(row))
    raw=b''.join(rows)
    def chunk(t,d): return struct.pack('>I',len(d))+t+d+struct.pack('>I',zlib.crc32(t+d)&0xffffffff)
    data=b'\x89PNG\r\n\x1a\n'+chunk(b'IHDR',struct.pack('>IIBBBBB',size,size,8,6,0,0,0))+chunk(b'IDAT',zlib.compress(raw,9))+chunk(b'IEND',b'')
    open(path,'wb').write(data)
for s in (192,512):
    png(s,False,f'icon-{s}.png'); png(s,True,f'maskable-{s}.png')
